import { bundleRunbook } from '../../core/bundle.js';
import { checksumMismatches } from '../../core/compare.js';
import { checkError } from '../../core/errors.js';
import { readRunbook } from '../../io/runbookFs.js';

/** The runbook as one script; refuses (exit 1) when a file differs from its manifest sha256. */
export function bundle(dir: string, undo: boolean): string {
  const { files, manifest } = readRunbook(dir);
  const problems = checksumMismatches(manifest, files);
  if (problems.length > 0) throw checkError(`${dir}: ${problems.join('; ')}`);
  return bundleRunbook(manifest, files, undo);
}
