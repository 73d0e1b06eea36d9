/**
 * On the CockroachDB lane, the multi-entity export and its check read as many customer_events rows
 * on a table holding ten times more unrelated events: their work follows the chosen entities, not
 * the table (docs/cockroachdb-bounded.md). Rows read are counted from pg_stat_user_tables
 * (seq_tup_read + idx_tup_fetch of customer_events). The walk the export did before, over every key
 * of customer_events (test/fixtures/bounded), reads ten times more.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/core/directives.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { setSlot } from '../../src/runner/batch/slots.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane } from '../helpers/cockroachLane.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { platformBeside } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-bounded-'));
const dir = join(work, 'runbook');
const oneshot = join(work, 'oneshot');
const JOURNAL = 'external_data.restitch_journal';
const UNRELATED = 20_000;

beforeAll(async () => {
  await server.start();
  const gen = runCli(['generate', 'multi-entity', '--dialect', 'cockroachdb', '--incident', 'bounded', '--entity', E1, '--entity', E2, '--batch-size', '50', '--out', dir]);
  expect(gen.code, gen.stderr).toBe(0);
  const one = runCli(['generate', 'entity-oneshot', '--dialect', 'cockroachdb', '--incident', 'bounded-one', '--entity', E2, '--out', oneshot]);
  expect(one.code, one.stderr).toBe(0);
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A lane database with the seed, 120 more events of E1, and `unrelated` events of other customers. */
async function lane(name: string, unrelated: number): Promise<{ db: pg.Client; url: string }> {
  const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await seedGluedEvents(db, 120);
  await db.query(
    `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
     SELECT md5('unrelated-' || g)::uuid, timestamptz '2026-01-01' + g * interval '1 second', '{}', '2026-01-02',
            ARRAY['other-' || (g % 997), 'device-' || g]
     FROM generate_series(1, $1::int) AS g`,
    [unrelated],
  );
  await db.query('ANALYZE customer_events');
  // As a cluster with disallow_full_table_scans = on refuses a plan that scans a large table whole
  // (https://www.cockroachlabs.com/docs/stable/set-vars), the runner's sessions here plan a
  // sequential scan only where nothing else answers the statement: what is read is then what the
  // statement needs, not PostgreSQL's preference for a small table.
  await db.query(`ALTER DATABASE ${name} SET enable_seqscan = off`);
  return { db, url: server.url(name) };
}

/** customer_events rows read so far, as the statistics collector counts them (flushed when a session ends). */
async function rowsRead(db: pg.Client): Promise<number> {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const r = await db.query<{ n: string }>(
    "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname = 'customer_events'",
  );
  return Number(r.rows[0]?.n);
}

/** customer_events rows read so far, once the sessions that ended have flushed their counts (two equal reads 300 ms apart). */
async function settledRowsRead(db: pg.Client): Promise<number> {
  let last = await rowsRead(db);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await rowsRead(db);
    if (now === last) return now;
    last = now;
  }
}

/** Rows `work` reads from customer_events; it must end its sessions (their counts are flushed then). */
async function measured(db: pg.Client, work: () => Promise<void>): Promise<number> {
  const before = await settledRowsRead(db);
  await work();
  return (await settledRowsRead(db)) - before;
}

/** The export step and its check of the generated runbook, through the runner, on the lane. */
async function exportAndCheck(url: string): Promise<void> {
  for (const only of [8, 9]) {
    const report = await runOnLane(dir, url, { only });
    expect(report.exitCode, JSON.stringify(report.steps)).toBe(0);
  }
}

/** The export and check as they were: a walk over every key of customer_events, then `&&` over it all. */
async function oldExportAndCheck(url: string, db: pg.Client): Promise<void> {
  const rename = (sql: string) => sql.replaceAll('rs_example_multi_', 'rs_bounded_').replaceAll('rs_bounded_events_export_done', 'rs_bounded_old_export_done');
  await db.query('CREATE TABLE external_data.rs_bounded_old_export_done (id uuid PRIMARY KEY)');
  const step = parseHeader(rename(readFileSync(join(ROOT, 'test/fixtures/bounded/old-08-export-events.sql'), 'utf8')), 'old-08');
  const body = setSlot(step.body, 'batch-size', 500);
  const check = parseHeader(rename(readFileSync(join(ROOT, 'test/fixtures/bounded/old-09-export-complete.sql'), 'utf8')), 'old-09');
  const session = await openLaneSession(connectionTarget(url, {}));
  try {
    for (;;) {
      const floor = (await session.query<{ floor: string }>(step.header.floor!)).rows[0]?.floor;
      const r = await session.query(floor ? setSlot(body, 'floor', floor) : body);
      if (r.rowCount === 0) break;
    }
    const rows = (await session.query<{ ok: boolean }>(check.body)).rows;
    expect(rows.every((row) => row.ok)).toBe(true);
  } finally {
    await session.close();
  }
}

describe('the CockroachDB multi-entity export reads only the chosen entities\' events', () => {
  it('the export and its check read the same rows of customer_events with ten times more unrelated events; the old walk reads ten times more', async () => {
    const small = await lane('small', UNRELATED);
    const large = await lane('large', 10 * UNRELATED);
    const read: Record<string, number> = {};
    for (const [name, { db, url }] of Object.entries({ small, large })) {
      const platform = platformBeside(url, false, JOURNAL);
      expect((await runOnLane(dir, url, { to: 7 })).exitCode).toBe(0);
      await platform.stop();
      read[name] = await measured(db, () => exportAndCheck(url));
      const exported = await db.query<{ n: string }>('SELECT count(*) AS n FROM external_data.rs_bounded_events_backup');
      expect(Number(exported.rows[0]?.n)).toBe(125);
      read[`old ${name}`] = await measured(db, () => oldExportAndCheck(url, db));
      await db.end();
    }
    // The chosen entities hold 125 events: their export and check read about that many rows, whatever the table's size.
    expect(read.small).toBeGreaterThan(0);
    expect(read.small, JSON.stringify(read)).toBeLessThan(1_000);
    expect(Math.abs(read.large! - read.small!), JSON.stringify(read)).toBeLessThanOrEqual(10);
    // The walk over every key reads the whole table: ten times more rows.
    expect(read['old small'], JSON.stringify(read)).toBeGreaterThan(UNRELATED);
    expect(read['old large']! / read['old small']!, JSON.stringify(read)).toBeGreaterThan(8);
  });

  it('the one-shot guard reads the same rows of customer_events with ten times more unrelated events', async () => {
    const small = await lane('one_small', UNRELATED);
    const large = await lane('one_large', 10 * UNRELATED);
    const read: Record<string, number> = {};
    for (const [name, { db, url }] of Object.entries({ small, large })) {
      read[name] = await measured(db, async () => {
        const report = await runOnLane(oneshot, url, { only: 4 });
        expect(report.exitCode, JSON.stringify(report.steps)).toBe(0);
      });
      await db.end();
    }
    // E2 holds 2 events.
    expect(read.small, JSON.stringify(read)).toBeGreaterThan(0);
    expect(read.small, JSON.stringify(read)).toBeLessThan(100);
    expect(Math.abs(read.large! - read.small!), JSON.stringify(read)).toBeLessThanOrEqual(10);
  });
});
