/**
 * Files a command writes that a person may have put something else at: never through a
 * symbolic link, and never over a file the command did not write itself. Its own files are
 * recognised by their first line (`marker`); `--force` replaces only those. The content goes
 * to a new file beside the target first (created exclusively), which is then moved into place:
 * a link planted at the target after the check is replaced, never written through.
 */
import { linkSync, lstatSync, openSync, readSync, closeSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inputError } from '../core/errors.js';

/** The first line of `path`, read without following a link (at most 4 KiB). */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses (exit 2, one line) when `path` may not be written: a symbolic link; anything that exists
 * without `force`; with `force`, anything but a regular file whose first line is `marker`. `flag`
 * names the option in the message. Returns whether the file exists (and is replaceable).
 */
export function checkOwnOutput(path: string, marker: string, force: boolean, flag: string): boolean {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return false;
  }
  if (stat.isSymbolicLink()) throw inputError(`${flag} ${path} is a symbolic link; restitch does not write through links: give the real path`);
  if (!stat.isFile()) throw inputError(`${flag} ${path} exists and is not a regular file; choose another path`);
  if (!force) throw inputError(`${flag} ${path} exists; add --force to replace it (only a file restitch wrote is replaced)`);
  if (!firstLine(path).startsWith(marker)) {
    throw inputError(`${flag} ${path} was not written by restitch (its first line is not '${marker}'); restitch replaces only its own files: move it away or choose another path`);
  }
  return true;
}

/** Writes `content` to `path` after checkOwnOutput; with `replace` false it never replaces anything, even one created meanwhile. */
export function writeOwnOutput(path: string, content: string, replace: boolean): void {
  const temp = join(dirname(path), `.${basename(path)}.restitch-${process.pid}`);
  writeFileSync(temp, content, { flag: 'wx', mode: 0o644 });
  try {
    // rename replaces the name, never what a link there points to; link refuses an existing name.
    if (replace) renameSync(temp, path);
    else linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw inputError(`${path} appeared while restitch was writing it; nothing was replaced`);
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
