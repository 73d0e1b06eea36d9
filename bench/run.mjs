// npm run bench: the multi-entity runbook on PostgreSQL at several sizes, every variant on an
// identically prepared copy of one realistic database (bench/lib/realistic.mjs: GLUED events
// glued to one entity among twice as many others, ~300-byte payloads or, with ROWS=narrow, none
// but the payload's two keys, the GIN index on
// identifiers and btrees on customer_entity_id and event_time), the server set as runbook.md asks
// for the window (max_wal_size). For each size:
//   1. the whole runbook (restitch run with its defaults, steps up to the events-reset check, the
//      clean-up routine beside it) against the source runbook's bare SQL, phase by phase; then the
//      same with each of ALT's options (e.g. ALT='--parallel 1;--parallel 2');
//   2. the event reset alone, from a database where the runbook is done up to it: one UPDATE ...
//      FROM, `restitch run --only <reset> --parallel 1` and `--parallel 2`, and the source's loop
//      (up to LOOP_MAX glued events: it is slow);
// then cost per row across sizes. Prints figures; asserts nothing. Speed targets live here,
// never in tests. Knobs: SIZES=300000,1000000,3000000 TRIALS=1 WAIT=1 LOOP_MAX=1000000 ROWS=narrow
// ALT='--parallel 1' RESET=0 (skip the reset alone).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRealistic, copyOf, drop, windowSettings } from './lib/realistic.mjs';
import { bareSql, ENTITIES, resetStep, restitchRun, singleUpdate, sourceLoop, wholeRunbook } from './lib/sides.mjs';

const SIZES = (process.env.SIZES ?? '300000,1000000,3000000').split(',').map(Number);
const TRIALS = Number(process.env.TRIALS ?? 1);
const WAIT = Number(process.env.WAIT ?? 1);
const LOOP_MAX = Number(process.env.LOOP_MAX ?? 1_000_000);
const NARROW = process.env.ROWS === 'narrow';
const ALT = (process.env.ALT ?? '').split(';').map((a) => a.trim()).filter(Boolean).map((a) => a.split(/\s+/));
const RESET = process.env.RESET !== '0';
const root = join(import.meta.dirname, '..');
const { startSandboxServer } = await import(join(root, 'dist/sandbox/server.js'));
const { platformBeside } = await import(join(root, 'dist/sandbox/platformBeside.js'));
const work = mkdtempSync(join(tmpdir(), 'restitch-bench-'));
const dir = join(work, 'runbook');
const bin = join(root, 'bin', 'restitch.js');

execFileSync(process.execPath, [bin, 'generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'bench', ...ENTITIES.flatMap((e) => ['--entity', e]), '--out', dir], { stdio: 'ignore' });
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const step = (slug) => manifest.steps.findIndex((s) => s.file.endsWith(`-${slug}.sql`)) + 1;
const rb = { bin, dir, step, backup: 'external_data.rs_bench_events_backup' };

const sec = (ms) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const usPerRow = (ms, rows) => ((ms * 1000) / rows).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const PHASES = [
  ['set-up: create, preflight, load, check', ['create-working-tables', 'preflight', 'load-entities', 'entities-loaded'], null],
  ['export of the events, backups and checks', ['backup-entities', 'entities-backed-up', 'export-events', 'export-complete'], 'export'],
  ['null the entities, check', ['reset-entities', 'entities-reset'], 'entities'],
  ['wait for the clean-up routine', ['entities-deleted'], 'cleanup'],
  ['reset of the events, check', ['reset-events', 'events-reset'], 'reset'],
];

/** The template advanced to the event reset: steps before it done by restitch, the clean-up routine beside. */
async function readyForReset(server, template, name) {
  const db = await copyOf(server, template, name);
  const platform = platformBeside(server.url(name), false, 'external_data.restitch_journal', { cleanupDelayMs: 0, pauseMs: 200 });
  try {
    await restitchRun(bin, dir, server.url(name), ['--confirm', '1', '--to', String(step('reset-events') - 1), '--wait-interval', '0.5']);
    await db.query('CHECKPOINT');
  } finally {
    await platform.stop();
    await db.end();
  }
}

function printWhole(seed, run) {
  console.log(`  ${pad('phase', 44)} ${'source SQL'.padStart(10)} ${'restitch'.padStart(10)}  restitch steps (s)`);
  let steps = 0;
  for (const [label, slugs, key] of PHASES) {
    const parts = slugs.map((slug) => [slug, run.bySlug[slug]?.ms ?? 0]);
    const sum = parts.reduce((n, [, ms]) => n + ms, 0);
    steps += sum;
    console.log(`  ${pad(label, 44)} ${(key ? sec(seed.ms[key]) : '-').padStart(10)} ${sec(sum).padStart(10)}  ${parts.map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)}`).join(', ')}`);
  }
  console.log(`  ${pad('the process: start, verification, lease', 44)} ${'-'.padStart(10)} ${sec(run.wall - steps).padStart(10)}`);
  console.log(`  ${pad('whole', 44)} ${sec(seed.ms.whole).padStart(10)} ${sec(run.wall).padStart(10)}  = ${ratio(run.wall, seed.ms.whole)} the source SQL (target <= 1.25x)`);
  console.log(`  backup: ${run.rows} events, ${(run.backupBytes / 2 ** 20).toFixed(1)} MB on disk; the checks said: ${run.passed.filter((l) => /MB/.test(l)).map((l) => l.replace(/^.*passed: /, '')).join(' | ')}`);
}

const server = await startSandboxServer('bench');
const scaling = [];
try {
  await windowSettings(server);
  console.log(`restitch bench, ${new Date().toISOString()}: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}`);
  for (const glued of SIZES) {
    const template = `t_${glued}`;
    const ready = `r_${glued}`;
    const built = await buildRealistic(server, template, glued, NARROW);
    if (RESET) await readyForReset(server, template, ready);
    console.log(`\n== ${built.glued} glued events among ${built.events}, ${NARROW ? 'narrow rows' : '~300-byte payloads'} (customer_events ${(built.bytes / 2 ** 30).toFixed(2)} GB with its indexes; built in ${built.seconds.toFixed(0)} s)`);
    for (let trial = 1; trial <= TRIALS; trial++) {
      // Alternate which variant runs first, so that none always meets a warmer cache.
      const odd = trial % 2 === 1;
      const seedFirst = odd ? await bareSql(server, template, `bare_${trial}`, WAIT) : null;
      const whole = await wholeRunbook(server, template, `whole_${trial}`, rb, WAIT);
      const seed = seedFirst ?? (await bareSql(server, template, `bare_${trial}`, WAIT));
      console.log(`\n  trial ${trial}: the whole runbook with restitch run's defaults, ${whole.rows} events (source SQL: ${seed.rows})`);
      printWhole(seed, whole);
      for (const args of ALT) {
        const alt = await wholeRunbook(server, template, `alt_${trial}`, rb, WAIT, args);
        console.log(`\n  trial ${trial}: the whole runbook with ${args.join(' ')}`);
        printWhole(seed, alt);
      }
      if (!RESET) {
        scaling.push({ glued: whole.rows, seed: seed.ms.whole, whole: whole.wall, update: NaN, p1: NaN, p2: NaN });
        continue;
      }

      const variants = [
        ['one UPDATE ... FROM', () => singleUpdate(server, ready, `u_${trial}`, rb.backup)],
        ['restitch run --parallel 1', () => resetStep(server, ready, `p1_${trial}`, rb, 1)],
        ['restitch run --parallel 2', () => resetStep(server, ready, `p2_${trial}`, rb, 2)],
        ...(glued <= LOOP_MAX ? [['source loop (10,000 a batch)', () => sourceLoop(server, ready, `l_${trial}`, rb.backup, 10_000)]] : []),
      ];
      const order = odd ? variants : [...variants].reverse();
      const results = new Map();
      for (const [label, f] of order) results.set(label, await f());
      const update = results.get('one UPDATE ... FROM');
      console.log(`\n  trial ${trial}: the event reset alone, ${update.rows} events`);
      for (const [label] of variants) {
        const r = results.get(label);
        const extra = r.batches ? `; ${r.batches} batches, process ${sec(r.wall)}, peak RSS ${r.rss.toFixed(0)} MB` : '';
        console.log(`  ${pad(label, 30)} ${sec(r.ms).padStart(8)}  ${ratio(r.ms, update.ms)} the UPDATE's time, ${ratio(update.ms, r.ms)} its throughput, ${usPerRow(r.ms, r.rows)} us/row${extra}`);
      }
      scaling.push({ glued: update.rows, seed: seed.ms.whole, whole: whole.wall, update: update.ms, p1: results.get('restitch run --parallel 1').ms, p2: results.get('restitch run --parallel 2').ms });
    }
    await drop(server, template);
    await drop(server, ready);
  }
  console.log('\n== cost per event reset (us/row) across sizes: it must stay flat');
  console.log(`  ${pad('events', 10)} ${pad('source SQL', 11)} ${pad('restitch', 9)} ${pad('ratio', 6)} ${pad('UPDATE', 8)} ${pad('--parallel 1', 13)} ${pad('--parallel 2', 13)}`);
  for (const s of scaling) {
    console.log(`  ${pad(s.glued, 10)} ${pad(usPerRow(s.seed, s.glued), 11)} ${pad(usPerRow(s.whole, s.glued), 9)} ${pad(ratio(s.whole, s.seed), 6)} ${pad(usPerRow(s.update, s.glued), 8)} ${pad(usPerRow(s.p1, s.glued), 13)} ${pad(usPerRow(s.p2, s.glued), 13)}`);
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
