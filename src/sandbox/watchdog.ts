/**
 * The sandbox server outlives a process killed by SIGKILL (no 'exit' handler runs then), and so
 * would its data directory. A small watchdog, in a process group of its own, holds a pipe from
 * this process: at end of file (this process ended, however it ended, or stop() closed it) it
 * shuts the server down (SIGQUIT, immediate shutdown: the data is thrown away) and removes the
 * directory. The postmaster's pid comes from postmaster.pid, which the server removes when it
 * stops: after a clean stop the watchdog finds none and kills nothing.
 * https://www.postgresql.org/docs/current/server-shutdown.html
 */
import { spawn } from 'node:child_process';

/** Runs in the watchdog (`node -e`): argv is [node, home, data]. Plain JavaScript, no imports of the project. */
const WATCHDOG = `
const fs = require('node:fs');
const path = require('node:path');
const [home, data] = process.argv.slice(1);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const cleanUp = async () => {
  let pid = 0;
  try { pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\\n')[0]); } catch {}
  if (pid > 1 && alive(pid)) {
    try { process.kill(pid, 'SIGQUIT'); } catch {}
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  fs.rmSync(home, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('data', () => {});
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
`;

/** A running watchdog; `release` closes its pipe after a clean stop (it then only checks and exits). */
export interface Watchdog {
  release(): void;
}

/** Starts the watchdog of the server whose data directory is `data`, inside `home` (removed whole). */
export function startWatchdog(home: string, data: string): Watchdog {
  const child = spawn(process.execPath, ['-e', WATCHDOG, home, data], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  // Neither the child nor its pipe keeps this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { release: () => child.stdin?.end() };
}
