// The event reset on a realistic table, against one UPDATE ... FROM of the same rows: EVENTS
// glued events (default 1,000,000) among twice as many others, payloads of a few hundred bytes,
// the GIN index on identifiers, a btree on the payload's customer_entity_id and one on
// event_time. For each trial a fresh copy of one prepared database (steps 1-12 of a multi-entity
// runbook done) runs, alternately, `restitch run --only 13` with --parallel 1 and 2, and the
// single UPDATE; it prints each time and the ratios (restitch ÷ UPDATE). Asserts nothing.
//   EVENTS=1000000 TRIALS=2 node bench/resetOrder.mjs
//   ROOT=/path/to/an/older/checkout PARALLEL=0 node bench/resetOrder.mjs   (the same on a version without --parallel)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const TRIALS = Number(process.env.TRIALS ?? 2);
// PARALLEL=0 for a version without --parallel.
const PARALLEL = process.env.PARALLEL !== '0';
const root = process.env.ROOT ?? join(import.meta.dirname, '..');
const { runInProcess } = await import(join(root, 'dist/runner/runInProcess.js'));
const { CURRENT_SCHEMA_DDL } = await import(join(root, 'dist/sandbox/schema.js'));
const { E1, E2, seedCurrent } = await import(join(root, 'dist/sandbox/seed.js'));
const { startSandboxServer } = await import(join(root, 'dist/sandbox/server.js'));
const { cleanupCurrent } = await import(join(root, 'dist/sandbox/simulator.js'));
const pg = createRequire(join(root, 'package.json'))('pg');
const bin = join(root, 'bin', 'restitch.js');
const work = mkdtempSync(join(tmpdir(), 'restitch-bench-order-'));
const dir = join(work, 'runbook');
const RESET = 13;
const BACKUP = 'external_data.rs_bench_order_events_backup';

execFileSync(process.execPath, [bin, 'generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'bench-order', '--entity', E1, '--entity', E2, '--out', dir], { stdio: 'inherit' });
const server = await startSandboxServer('bench-order');

/** The template database: the events, the indexes, and the runbook done up to the reset. */
async function template() {
  const t = performance.now();
  const db = await server.database('template_order', CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  // Glued events interleaved with twice as many others, in event_time order, ~300-byte payloads.
  await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
    SELECT md5('order-' || g)::uuid, timestamptz '2026-01-01' + g * interval '1 second',
           jsonb_build_object('customer_entity_id', md5('c' || (g / 7)), 'ps_identifier', CASE WHEN g % 3 = 0 THEN 'None' ELSE 'id-' || g END,
                              'body', repeat(md5(g::text), 7)),
           '2026-01-02', CASE WHEN g % 3 = 0 THEN ARRAY['None'] ELSE ARRAY['id-' || g] END
    FROM generate_series(1, ${EVENTS * 3}) AS g`);
  await db.query(`CREATE INDEX ON customer_events ((payload->>'customer_entity_id')); CREATE INDEX ON customer_events (event_time)`);
  await db.query('VACUUM ANALYZE');
  const run = (opts) => runInProcess(dir, server.url('template_order'), { retries: 0, waitInterval: 0.05, ...opts });
  for (const r of [await run({ to: RESET - 2 }), (await cleanupCurrent(db), await run({ only: RESET - 1 }))]) {
    if (r.exitCode !== 0) throw new Error(`preparing: ${JSON.stringify(r.steps.filter((s) => s.status !== 'done'))}`);
  }
  const rows = Number((await db.query(`SELECT count(*) AS n FROM ${BACKUP}`)).rows[0].n);
  await db.end();
  console.log(`template: ${rows} events to reset among ${EVENTS * 3} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  return rows;
}

async function copy(name) {
  const admin = await server.database('postgres', 'SELECT 1');
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template_order`);
  await admin.end();
  const c = new pg.Client({ connectionString: server.url(name) });
  await c.connect();
  await c.query('CHECKPOINT');
  return c;
}

async function viaRunner(name, parallel) {
  const db = await copy(name);
  const t = performance.now();
  const code = await new Promise((resolve) => spawn(process.execPath, [bin, 'run', dir, '--db', server.url(name), '--yes', '--only', String(RESET), ...(PARALLEL ? ['--parallel', String(parallel)] : [])], { stdio: ['ignore', 'ignore', 'inherit'] }).on('close', resolve));
  const ms = performance.now() - t;
  await db.end();
  if (code !== 0) throw new Error(`restitch run exited ${code}`);
  return ms;
}

async function singleUpdate(name) {
  const db = await copy(name);
  const t = performance.now();
  await db.query(`UPDATE customer_events SET stitched = NULL, identifiers = NULL FROM ${BACKUP} AS b WHERE customer_events.id = b.id`);
  const ms = performance.now() - t;
  await db.end();
  return ms;
}

try {
  const rows = await template();
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  for (let trial = 1; trial <= TRIALS; trial++) {
    const update = await singleUpdate(`u${trial}`);
    const p1 = await viaRunner(`p1_${trial}`, 1);
    const p2 = PARALLEL ? await viaRunner(`p2_${trial}`, 2) : NaN;
    console.log(`trial ${trial}: ${rows} events; one UPDATE ${s(update)}; restitch run ${s(p1)} = ${(p1 / update).toFixed(2)}x` + (PARALLEL ? `; --parallel 2 ${s(p2)} = ${(p2 / update).toFixed(2)}x (throughput ${(update / p2).toFixed(2)}x the UPDATE's)` : ''));
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
