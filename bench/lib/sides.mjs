// The variants the bench compares, each on a fresh copy of a prepared template database:
// the source runbook's bare SQL, the whole restitch runbook, and the event reset alone (one
// UPDATE ... FROM, the source's batch loop, `restitch run --only <reset> --parallel N`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { copyOf, drop } from './realistic.mjs';

const root = join(import.meta.dirname, '..', '..');
const { E1, E2 } = await import(join(root, 'dist/sandbox/seed.js'));
const { platformBeside } = await import(join(root, 'dist/sandbox/platformBeside.js'));

export const ENTITIES = [E1, E2];
const IN_LIST = `'${E1}', '${E2}'`;
const JOURNAL = 'external_data.restitch_journal';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const timed = async (f) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

/** `fn(db, url)` on a fresh copy of `template`, with the platform's clean-up routine beside it; the copy is dropped after. */
async function onCopy(server, template, name, fn) {
  const db = await copyOf(server, template, name);
  // The clean-up routine as production runs it, polling every 0.5 s; a marked entity is deleted
  // as soon as it is seen, so both sides wait for it the same way.
  const platform = platformBeside(server.url(name), false, JOURNAL, { cleanupDelayMs: 0, pauseMs: 500 });
  try {
    return await fn(db, server.url(name));
  } finally {
    await platform.stop();
    await db.end();
    await drop(server, name);
  }
}

/**
 * The source runbook's SQL, reconstructed, timed per phase: the export as CREATE TABLE AS of the
 * ids through the GIN index (its fastest form; its own CREATE TABLE with a primary key, then
 * INSERT, is slower), null the entities, poll the clean-up every `wait` seconds, one UPDATE.
 */
export function bareSql(server, template, name, wait) {
  return onCopy(server, template, name, async (db) => {
    const ms = {};
    const t0 = performance.now();
    ms.export = await timed(() => db.query(`CREATE SCHEMA IF NOT EXISTS external_data;
      CREATE TABLE external_data.events_abc AS
      WITH unnested AS (SELECT unnest(identifiers) AS identifier FROM customer_attributes WHERE customer_entity_id IN (${IN_LIST}))
      SELECT customer_events.id FROM customer_events
      INNER JOIN unnested ON customer_events.identifiers @> ARRAY[unnested.identifier]`));
    ms.entities = await timed(() => db.query(`UPDATE customer_attributes SET modified = NULL, identifiers = NULL WHERE customer_entity_id IN (${IN_LIST})`));
    ms.cleanup = await timed(async () => {
      while ((await db.query(`SELECT count(*)::int AS n FROM customer_attributes WHERE customer_entity_id IN (${IN_LIST})`)).rows[0].n > 0) await sleep(wait * 1000);
    });
    let rows = 0;
    ms.reset = await timed(async () => {
      rows = (await db.query('UPDATE customer_events SET stitched = NULL, identifiers = NULL FROM external_data.events_abc events WHERE customer_events.id = events.id::UUID')).rowCount;
    });
    ms.whole = performance.now() - t0;
    return { ms, rows };
  });
}

/**
 * `restitch run DIR ARGS... --json` in its own process (start-up, verification, lease, journal,
 * every backup and check), sampling its RSS from /proc. Returns the wall time, the report's steps
 * by slug and the peak RSS in MB.
 */
export async function restitchRun(bin, dir, url, args) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'run', dir, '--db', url, '--yes', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  let finished = false;
  const exited = new Promise((resolve) => child.on('close', (code) => ((finished = true), resolve(code))));
  let rss = 0;
  while (!finished) {
    try {
      rss = Math.max(rss, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
    } catch {
      // exited between the check and the read
    }
    await sleep(20);
  }
  const code = await exited;
  const wall = performance.now() - t0;
  if (code !== 0) throw new Error(`restitch run ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`);
  const report = JSON.parse(out);
  const bySlug = Object.fromEntries(report.steps.map((s) => [s.file.replace(/^(undo\/)?\d+-|\.sql$/g, ''), s]));
  return { wall, bySlug, rss, passed: err.split('\n').filter((l) => / passed: /.test(l)) };
}

/** The whole runbook up to the events-reset check with `restitch run`'s defaults (or `args` added), on a copy of `template`; also the backup's size on disk. */
export function wholeRunbook(server, template, name, rb, wait, args = []) {
  return onCopy(server, template, name, async (db, url) => {
    const run = await restitchRun(rb.bin, rb.dir, url, ['--confirm', '1', '--to', String(rb.step('events-reset')), '--wait-interval', String(wait), ...args]);
    const b = (await db.query(`SELECT count(*)::int AS n, pg_total_relation_size('${rb.backup}')::bigint AS bytes FROM ${rb.backup}`)).rows[0];
    return { ...run, rows: b.n, backupBytes: Number(b.bytes) };
  });
}

/** One UPDATE ... FROM the backup of the rows the reset step resets (a copy of the reset-ready template). */
export function singleUpdate(server, template, name, backup) {
  return onCopy(server, template, name, async (db) => {
    let rows = 0;
    const ms = await timed(async () => {
      rows = (await db.query(`UPDATE customer_events SET stitched = NULL, identifiers = NULL FROM ${backup} AS b WHERE customer_events.id = b.id`)).rowCount;
    });
    return { ms, rows };
  });
}

/** The source runbook's batch loop, reconstructed for PostgreSQL (no DELETE ... LIMIT there): delete a batch of ids from the working table, update those events. */
export function sourceLoop(server, template, name, backup, batch) {
  return onCopy(server, template, name, async (db) => {
    await db.query(`CREATE TABLE external_data.events_abc AS SELECT id FROM ${backup}; ALTER TABLE external_data.events_abc ADD PRIMARY KEY (id); ANALYZE external_data.events_abc`);
    let rows = 0;
    const ms = await timed(async () => {
      for (;;) {
        const r = await db.query(`WITH deleted AS (
            DELETE FROM external_data.events_abc WHERE id IN (SELECT id FROM external_data.events_abc LIMIT ${batch}) RETURNING id
          ), updated AS (
            UPDATE customer_events SET stitched = NULL, identifiers = NULL WHERE id IN (SELECT id FROM deleted) RETURNING id
          ) SELECT count(*)::int AS n FROM updated`);
        if (r.rows[0].n === 0) break;
        rows += r.rows[0].n;
      }
    });
    return { ms, rows };
  });
}

/** `restitch run --only <reset step> --parallel N` on a copy of the reset-ready template; batch count and times from the journal. */
export function resetStep(server, template, name, rb, parallel) {
  return onCopy(server, template, name, async (db, url) => {
    const step = rb.step('reset-events');
    const run = await restitchRun(rb.bin, rb.dir, url, ['--only', String(step), '--parallel', String(parallel)]);
    const j = (await db.query(`SELECT rows_affected::bigint AS rows, batches::int AS batches FROM ${JOURNAL} WHERE step = $1 AND status = 'done'`, [step])).rows[0];
    return { ms: run.bySlug['reset-events'].ms, wall: run.wall, rss: run.rss, rows: Number(j.rows), batches: j.batches };
  });
}
