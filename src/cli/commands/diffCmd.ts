import { compareFiles, type FileDrift } from '../../core/compare.js';
import { readRunbook } from '../../io/runbookFs.js';

/** Step-by-step unified diff between two runbooks (every file, in path order). */
export function diffRunbooks(a: string, b: string): FileDrift[] {
  return compareFiles(readRunbook(a).files, readRunbook(b).files, [a, b]);
}
