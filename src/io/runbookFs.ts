/**
 * Runbook directories on disk. Writes are all-or-nothing: files go to a hidden sibling
 * directory first, which is renamed into place only when every file is written.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { checkError, inputError } from '../core/errors.js';
import { isIncidentRecord, parseManifest, type Manifest } from '../core/manifest.js';
import type { RunbookFile } from '../core/types.js';

/**
 * Creates `dir` and its missing parents one level at a time. Node's own recursive mkdir never
 * returns on some pseudo file systems (mkdir under /proc answers ENOENT and it retries forever).
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir);
}

/**
 * What `--force` may replace: only a directory whose manifest.json says it is a restitch runbook
 * and that holds nothing but the files that manifest lists. Returns that manifest.
 */
export function replaceableRunbook(dir: string, who = '--force'): Manifest {
  const refuse = (why: string) => inputError(`${who} replaces only a restitch runbook directory; ${dir} ${why}`);
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) throw refuse('is a symbolic link');
  if (!stat.isDirectory()) throw refuse('is not a directory');
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw refuse('has no manifest.json');
  let manifest: Manifest;
  try {
    manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  } catch (error) {
    throw refuse(`has a manifest.json that is not restitch's (${(error as Error).message})`);
  }
  const listed = new Set([...Object.keys(manifest.files), 'manifest.json']);
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (entry.isDirectory()) walk(full);
      else if (!listed.has(rel)) throw refuse(`holds ${rel}, which is not part of the runbook; move it away first`);
    }
  };
  walk(dir);
  return manifest;
}

/**
 * Writes the files as directory `dir`. An existing `dir` is refused unless `force` is set and it
 * is a restitch runbook; returns what was replaced, if anything.
 */
export function writeRunbook(dir: string, files: readonly RunbookFile[], force: boolean): string | null {
  const exists = existsSync(dir) || isSymlink(dir);
  if (exists && !force) {
    throw inputError(`${dir} already exists; pass --force to replace it, or choose another --incident or --out`);
  }
  const old = exists ? replaceableRunbook(dir) : null;
  const replaced = old ? `replaced the ${old.scenario} runbook of incident ${old.inputs.incident} at ${dir}` : null;
  const parent = dirname(dir);
  makeDirs(parent);
  const staging = join(parent, `.${basename(dir)}.restitch-${process.pid}`);
  const previous = join(parent, `.${basename(dir)}.restitch-old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
    for (const f of files) {
      const target = join(staging, f.path);
      makeDirs(dirname(target));
      writeFileSync(target, f.content);
    }
    if (exists) renameSync(dir, previous);
    renameSync(staging, dir);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(dir)) renameSync(previous, dir);
    throw error;
  }
  return replaced;
}

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every file under `dir` (paths relative, '/'-separated), sorted. */
export function readRunbookFiles(dir: string): RunbookFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw inputError(`${dir} is not a runbook directory`);
  const files: RunbookFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const path = relative(dir, full).split(sep).join('/');
      if (entry.isDirectory()) walk(full);
      else if (!isIncidentRecord(path)) files.push({ path, content: readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Files and parsed manifest of a runbook directory. */
export function readRunbook(dir: string): { files: RunbookFile[]; manifest: Manifest } {
  // Look for the manifest before reading anything else: `diff DIR /etc` must not walk /etc.
  if (existsSync(dir) && statSync(dir).isDirectory() && !existsSync(join(dir, 'manifest.json'))) {
    throw checkError(`${join(dir, 'manifest.json')} is missing: not a restitch runbook`);
  }
  const files = readRunbookFiles(dir);
  const manifestFile = files.find((f) => f.path === 'manifest.json');
  if (!manifestFile) throw checkError(`${join(dir, 'manifest.json')} is missing: not a restitch runbook`);
  return { files, manifest: parseManifest(manifestFile.content, join(dir, 'manifest.json')) };
}

/** Runbook directories (those holding a manifest.json) under `root`, sorted. */
export function findRunbooks(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, 'manifest.json'))) {
      found.push(d);
      return;
    }
    for (const entry of readdirSync(d, { withFileTypes: true })) if (entry.isDirectory() && !entry.name.startsWith('.')) walk(join(d, entry.name));
  };
  walk(root);
  return found.sort();
}
