/**
 * Gives the whole run a temp directory of its own (TMPDIR for every worker), and fails the run
 * when a test left anything in it: every test removes what it creates, servers included.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'restitch-test-run-'));
  // As root the sandbox server runs as 'postgres', which must reach its data directory in here.
  chmodSync(dir, 0o755);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0, so end the run with 1 here.
      process.stderr.write(`tests left ${left.length} entries in the temp dir: ${left.slice(0, 5).join(', ')}\n`);
      process.exit(1);
    }
  };
}
