// Generation speed: a multi-entity runbook for 1k, 10k and 100k entity ids (in process, and
// through the CLI with --entities-file), and the start-up of a small `restitch generate`
// against `node -e 0`. Prints figures; asserts nothing. Run: npm run bench
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateInputs } from '../dist/core/inputs.js';
import { renderRunbook } from '../dist/core/render.js';
import { loadTemplates } from '../dist/io/templateStore.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'restitch.js');
const work = mkdtempSync(join(tmpdir(), 'restitch-bench-'));
const templates = loadTemplates();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timeCmd = (args) => {
  const t = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t;
};

console.log('entities  render (ms, median of 5)  CLI wall (ms)  ms per 1k ids');
for (const n of [1_000, 10_000, 100_000]) {
  const ids = Array.from({ length: n }, (_, i) => `entity-${String(i).padStart(7, '0')}`);
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'bench', entity: ids });
    renderRunbook(inputs, templates, 'bench');
    runs.push(performance.now() - t);
  }
  const file = join(work, `ids-${n}.txt`);
  writeFileSync(file, `${ids.join('\n')}\n`);
  const cli = timeCmd([bin, 'generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'bench', '--entities-file', file, '--out', join(work, `rb-${n}`)]);
  const r = median(runs);
  console.log(`${String(n).padStart(8)}  ${r.toFixed(1).padStart(24)}  ${cli.toFixed(0).padStart(13)}  ${(r / (n / 1000)).toFixed(2).padStart(13)}`);
}

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
