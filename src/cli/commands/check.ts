import { join } from 'node:path';
import { compareFiles, type FileDrift } from '../../core/compare.js';
import { inputError } from '../../core/errors.js';
import { findRunbooks, readRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { rerender } from '../../io/rerender.js';
import { errorAnnotation } from '../githubAnnotations.js';
import { jsonLine, type OutputFormat } from '../outputFormat.js';

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

/** The expected text of the first differing line, from a unified diff: its first change, when that is a `-` line. */
function expectedLine(patch: string): string | undefined {
  const lines = patch.split('\n');
  const hunk = lines.findIndex((l) => l.startsWith('@@'));
  if (hunk < 0) return undefined;
  const change = lines.slice(hunk + 1).find((l) => l.startsWith('-') || l.startsWith('+'));
  return change?.startsWith('-') ? change.slice(1) : undefined;
}

/**
 * The results as `format` prints them: the text report, one GitHub annotation per drifted file
 * at its first differing line, or one JSON object `{ ok, runbooks: [{ dir, ok, drift: [{ file,
 * line, patch }] }] }`.
 */
export function checkOutput(results: CheckResult[], format: OutputFormat): string {
  if (format === 'text') return checkReport(results);
  if (format === 'json') {
    const runbooks = results.map((r) => ({ dir: r.dir, ok: r.drift.length === 0, drift: r.drift.map((d) => ({ file: join(r.dir, d.path), line: d.line, patch: d.patch })) }));
    return jsonLine({ ok: runbooks.every((r) => r.ok), runbooks });
  }
  return results
    .flatMap((r) =>
      r.drift.map((d) => {
        const expected = expectedLine(d.patch);
        const what = expected === undefined ? '' : ` (manifest.json renders here: ${expected.trim() === '' ? 'an empty line' : expected.trim()})`;
        return errorAnnotation(
          { file: join(r.dir, d.path), line: d.line, title: 'restitch check: drift' },
          `${d.path} differs from what ${r.dir}/manifest.json renders, first at line ${d.line}${what}: generate the runbook again instead of editing it by hand`,
        );
      }),
    )
    .join('');
}
