// Generation and check at 1k, 100k and 1M entity ids (multi-entity, through the CLI with
// --entities-file), wall time and peak RSS of each process (GNU time), the runbook's size and
// where the ids went; then the start-up of a small `restitch generate` against `node -e 0`.
// Prints figures; asserts nothing. Run: npm run bench (IDS=1000,100000 for fewer sizes)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'restitch.js');
const work = mkdtempSync(join(tmpdir(), 'restitch-bench-'));
const sizes = (process.env.IDS ?? '1000,100000,1000000').split(',').map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gnuTime = existsSync('/usr/bin/time');

/** Wall seconds and peak RSS (MB, null without GNU time) of one CLI run. */
function measure(args) {
  const t = performance.now();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`restitch ${args.join(' ')}: ${r.stderr}`);
  const kb = gnuTime ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { s, mb: gnuTime ? kb / 1024 : null };
}

const sizeOf = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((p) => statSync(p).isFile()).reduce((n, p) => n + statSync(p).size, 0);
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

console.log('ids        order     generate s  RSS MB   check s  RSS MB   runbook MB  entities.txt MB  manifest kB');
for (const n of sizes) {
  const ids = Array.from({ length: n }, (_, i) => `entity-${String(i).padStart(7, '0')}`);
  for (const order of ['sorted', 'shuffled']) {
    if (order === 'shuffled') for (let i = ids.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [ids[i], ids[j]] = [ids[j], ids[i]]; }
    const file = join(work, `ids-${n}-${order}.txt`);
    writeFileSync(file, `${ids.join('\n')}\n`);
    const out = join(work, `rb-${n}-${order}`);
    const gen = measure(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'bench', '--entities-file', file, '--out', out]);
    const chk = measure(['check', out]);
    const rss = (m) => (m.mb === null ? '   n/a' : m.mb.toFixed(0).padStart(6));
    console.log(`${String(n).padStart(9)}  ${order.padEnd(8)}  ${gen.s.toFixed(2).padStart(10)}  ${rss(gen)}  ${chk.s.toFixed(2).padStart(8)}  ${rss(chk)}  ${mb(sizeOf(out)).padStart(10)}  ${mb(statSync(join(out, 'entities.txt')).size).padStart(15)}  ${(statSync(join(out, 'manifest.json')).size / 1024).toFixed(1).padStart(11)}`);
    rmSync(out, { recursive: true, force: true });
  }
}

const timeCmd = (args) => {
  const t = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t;
};
const nodeRuns = [];
const genRuns = [];
for (let i = 0; i < 7; i++) {
  nodeRuns.push(timeCmd(['-e', '0']));
  genRuns.push(timeCmd([bin, 'generate', 'entity-oneshot', '--dialect', 'postgres', '--incident', 'bench', '--entity', 'abc', '--out', join(work, 'small'), '--force']));
}
const n0 = median(nodeRuns);
const g0 = median(genRuns);
console.log(`\nnode -e 0: ${n0.toFixed(0)} ms; small restitch generate: ${g0.toFixed(0)} ms; ratio ${(g0 / n0).toFixed(2)}x (target < 5x)`);
rmSync(work, { recursive: true, force: true });
