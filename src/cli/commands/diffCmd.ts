import { compareFiles, type FileDrift } from '../../core/compare.js';
import { readRunbook } from '../../io/runbookFs.js';
import { jsonLine } from '../outputFormat.js';

/** Step-by-step unified diff between two runbooks (every file, in path order). */
export function diffRunbooks(a: string, b: string): FileDrift[] {
  return compareFiles(readRunbook(a).files, readRunbook(b).files, [a, b]);
}

/** The diff as text (the unified diffs) or one JSON object `{ same, files: [{ path, line, patch }] }`. */
export function diffOutput(drift: readonly FileDrift[], json: boolean): string {
  return json ? jsonLine({ same: drift.length === 0, files: drift }) : drift.map((d) => d.patch).join('');
}
