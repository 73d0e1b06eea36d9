import { compareFiles, type FileDrift } from '../../core/compare.js';
import { inputError } from '../../core/errors.js';
import { findRunbooks, readRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { rerender } from '../../io/rerender.js';

export interface CheckResult {
  dir: string;
  drift: FileDrift[];
}

/** Re-renders each runbook from its manifest and compares every file byte for byte. */
export async function checkRunbooks(dirs: string[], root = 'generated'): Promise<CheckResult[]> {
  const targets = dirs.length > 0 ? dirs : findRunbooks(root);
  if (targets.length === 0) throw inputError(`no runbook found under ${root}/; name the runbook directories to check`);
  const templates = loadTemplates();
  const results: CheckResult[] = [];
  for (const dir of targets) {
    const { files, manifest } = readRunbook(dir);
    const expected = await rerender(manifest, templates, files);
    results.push({ dir, drift: compareFiles(expected, files, ['expected', dir]) });
  }
  return results;
}

export function checkReport(results: CheckResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.drift.length === 0) out.push(`ok      ${r.dir}`);
    else {
      out.push(`DRIFT   ${r.dir}: ${r.drift.map((d) => d.path).join(', ')}`);
      for (const d of r.drift) out.push(d.patch.trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}
