/**
 * The steps of a runbook as read back from its files: the manifest's order, each header parsed
 * and numbered as listed. Used by everything that reads a runbook (bundle, run, status).
 */
import { parseHeader } from './directives.js';
import { checkError } from './errors.js';
import type { Manifest } from './manifest.js';
import type { ParsedStep, RunbookFile } from './types.js';

/** The steps of the runbook (or of its undo runbook), in order, with their headers parsed. */
export function loadSteps(manifest: Manifest, files: readonly RunbookFile[], undo: boolean): ParsedStep[] {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const list = undo ? manifest.undo : manifest.steps;
  if (list.length === 0) throw checkError(`manifest.json lists no ${undo ? 'undo ' : ''}steps`);
  return list.map((entry, i) => {
    const content = byPath.get(entry.file);
    if (content === undefined) throw checkError(`${entry.file} is listed in manifest.json but missing`);
    const { header, body } = parseHeader(content, entry.file);
    if (header.number !== i + 1) throw checkError(`${entry.file}: header says step ${header.number}, manifest order says ${i + 1}`);
    const slug = entry.file.replace(/^(?:undo\/)?\d+-/, '').replace(/\.sql$/, '');
    return { header, file: entry.file, slug, body };
  });
}

