// The batched event reset at scale, on an embedded PostgreSQL: a multi-entity runbook whose
// entity owns EVENTS events (default 1,000,000), step "Reset the events" run through
// `restitch run`, against one set-based UPDATE ... FROM of the same rows and the source
// runbook's own loop (delete a batch from the working table, update those events), each on an
// identically prepared database. Prints figures; asserts nothing. Run: npm run bench:reset
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runInProcess } from '../dist/runner/runInProcess.js';
import { CURRENT_SCHEMA_DDL } from '../dist/sandbox/schema.js';
import { E1, E2, seedCurrent, seedGluedEvents } from '../dist/sandbox/seed.js';
import { startSandboxServer } from '../dist/sandbox/server.js';
import { cleanupCurrent } from '../dist/sandbox/simulator.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const BATCH = Number(process.env.BATCH ?? 10_000);
const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'restitch.js');
const work = mkdtempSync(join(tmpdir(), 'restitch-bench-reset-'));
const dir = join(work, 'runbook');
const RESET_STEP = 11;
const BACKUP = 'external_data.rs_bench_reset_events_backup';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const tenths = (xs) => {
  const k = Math.max(1, Math.floor(xs.length / 10));
  return { first: median(xs.slice(0, k)), last: median(xs.slice(-k)) };
};

execFileSync(process.execPath, [bin, 'generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'bench-reset',
  '--entity', E1, '--entity', E2, '--batch-size', String(BATCH), '--out', dir], { stdio: 'inherit' });
const server = await startSandboxServer('bench-reset');

/** A database with EVENTS glued events, steps 1..10 done: the next step is the batched reset. */
async function prepared(name) {
  const t = performance.now();
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await seedGluedEvents(db, EVENTS);
  await db.query('VACUUM ANALYZE');
  const run = (opts) => runInProcess(dir, server.url(name), { retries: 0, waitInterval: 0.05, ...opts });
  for (const r of [await run({ to: RESET_STEP - 2 }), (await cleanupCurrent(db), await run({ only: RESET_STEP - 1 }))]) {
    if (r.exitCode !== 0) throw new Error(`preparing ${name}: ${JSON.stringify(r.steps.filter((s) => s.status !== 'done'))}`);
  }
  await db.query('VACUUM ANALYZE');
  await db.query('CHECKPOINT');
  const rows = Number((await db.query(`SELECT count(*) AS n FROM ${BACKUP}`)).rows[0].n);
  console.log(`prepared ${name}: ${rows} events to reset (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  return { db, url: server.url(name), rows };
}

/** `restitch run --only 11` in its own process: batch times from the journal, RSS from /proc. */
async function throughRunner() {
  const { db, url, rows } = await prepared('runner');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'run', dir, '--db', url, '--yes', '--only', String(RESET_STEP)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  let finished = false;
  void exited.then(() => (finished = true));
  const rss = [];
  const batchEnds = [];
  let seen = 0;
  while (!finished) {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      if (kb) rss.push(kb / 1024);
    } catch { /* exited */ }
    const b = await db.query(`SELECT batches FROM external_data.restitch_journal WHERE step = $1 AND status = 'running'`, [RESET_STEP]);
    const batches = Number(b.rows[0]?.batches ?? seen);
    if (batches > seen) {
      const now = performance.now();
      for (let i = seen; i < batches; i++) batchEnds.push(now);
      seen = batches;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const code = await exited;
  const wall = performance.now() - t0;
  const j = (await db.query(`SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms, rows_affected::int AS n, batches::int AS b FROM external_data.restitch_journal WHERE step = $1`, [RESET_STEP])).rows[0];
  const times = batchEnds.slice(1).map((t, i) => t - batchEnds[i]).slice(0, -1);
  await db.end();
  return { code, rows, stepMs: Number(j.ms), wall, batches: j.b, times, rss };
}

async function setBased() {
  const { db, rows } = await prepared('set-based');
  const t = performance.now();
  const r = await db.query(`UPDATE customer_events SET stitched = NULL, identifiers = NULL FROM ${BACKUP} AS b WHERE customer_events.id = b.id`);
  const ms = performance.now() - t;
  await db.end();
  return { rows, ms, updated: r.rowCount };
}

/** The source runbook's loop, reconstructed for PostgreSQL (no DELETE ... LIMIT there). */
async function sourceLoop() {
  const { db, rows } = await prepared('source-loop');
  await db.query(`CREATE TABLE external_data.events_abc AS SELECT id FROM ${BACKUP}; ALTER TABLE external_data.events_abc ADD PRIMARY KEY (id); ANALYZE external_data.events_abc`);
  const times = [];
  const t = performance.now();
  for (;;) {
    const s = performance.now();
    const r = await db.query(`WITH deleted AS (
        DELETE FROM external_data.events_abc WHERE id IN (SELECT id FROM external_data.events_abc LIMIT ${BATCH}) RETURNING id
      ), updated AS (
        UPDATE customer_events SET stitched = NULL, identifiers = NULL WHERE id IN (SELECT id FROM deleted) RETURNING id
      ) SELECT count(*)::int AS n FROM updated`);
    times.push(performance.now() - s);
    if (r.rows[0].n === 0) break;
  }
  const ms = performance.now() - t;
  await db.end();
  return { rows, ms, times: times.slice(0, -1) };
}

try {
  const single = await setBased();
  const runner = await throughRunner();
  const loop = await sourceLoop();
  const rate = (rows, ms) => Math.round((rows * 1000) / ms);
  const rt = tenths(runner.times);
  const lt = tenths(loop.times);
  const rssTenths = tenths(runner.rss);
  console.log(`\nevents reset: ${runner.rows}, batch size ${BATCH}`);
  console.log(`one UPDATE ... FROM:      ${(single.ms / 1000).toFixed(2)} s  ${rate(single.rows, single.ms)} rows/s`);
  console.log(`restitch run (step only): ${(runner.stepMs / 1000).toFixed(2)} s  ${rate(runner.rows, runner.stepMs)} rows/s  = ${(single.ms / runner.stepMs).toFixed(2)}x the single UPDATE (target >= 0.8x); exit ${runner.code}`);
  console.log(`restitch run (process):   ${(runner.wall / 1000).toFixed(2)} s wall, ${runner.batches} batches`);
  console.log(`  batch median first tenth ${rt.first.toFixed(1)} ms, last tenth ${rt.last.toFixed(1)} ms = ${(rt.last / rt.first).toFixed(2)}x (target <= 1.5x)`);
  console.log(`  runner RSS peak ${Math.max(...runner.rss).toFixed(1)} MB (target < 150 MB); median first tenth ${rssTenths.first.toFixed(1)} MB, last tenth ${rssTenths.last.toFixed(1)} MB`);
  console.log(`source loop (delete batch, update): ${(loop.ms / 1000).toFixed(2)} s  ${rate(loop.rows, loop.ms)} rows/s; batch median first tenth ${lt.first.toFixed(1)} ms, last tenth ${lt.last.toFixed(1)} ms = ${(lt.last / lt.first).toFixed(2)}x`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
