/**
 * Runbook directories on disk. Writes are all-or-nothing: files go to a hidden sibling
 * directory first, which is renamed into place only when every file is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { checkError, inputError } from '../core/errors.js';
import { parseManifest, type Manifest } from '../core/manifest.js';
import type { RunbookFile } from '../core/types.js';

export function writeRunbook(dir: string, files: readonly RunbookFile[], force: boolean): void {
  if (existsSync(dir) && !force) {
    throw inputError(`${dir} already exists; pass --force to replace it, or choose another --incident or --out`);
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(dir)}.restitch-${process.pid}`);
  const previous = join(parent, `.${basename(dir)}.restitch-old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const f of files) {
      const target = join(staging, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    }
    if (existsSync(dir)) renameSync(dir, previous);
    renameSync(staging, dir);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(dir)) renameSync(previous, dir);
    throw error;
  }
}

/** Every file under `dir` (paths relative, '/'-separated), sorted. */
export function readRunbookFiles(dir: string): RunbookFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw inputError(`${dir} is not a runbook directory`);
  const files: RunbookFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push({ path: relative(dir, full).split(sep).join('/'), content: readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Files and parsed manifest of a runbook directory. */
export function readRunbook(dir: string): { files: RunbookFile[]; manifest: Manifest } {
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
