/**
 * The lane divides integers as CockroachDB does (test/helpers/laneIntDivision.ts): `INT / INT` is
 * DECIMAL, `//` is integer division; and the runbooks' SQL never relies on `/` between integers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/core/directives.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { ROOT } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { platformBeside } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

describe('integer division on the CockroachDB lane', () => {
  it('a session of a lane database gets DECIMAL from INT / INT and an integer from INT // INT', async () => {
    const builder = await server.database('division', COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
    await builder.end();
    const db = new pg.Client({ connectionString: server.url('division') });
    await db.connect();
    try {
      const r = await db.query('SELECT 7 / 2 AS q, 7 // 2 AS f, pg_typeof(count(*) / 2)::text AS t, (count(*) + 2 - 1) // 2 AS n FROM generate_series(1, 5)');
      expect(r.rows[0]).toEqual({ q: '3.5000000000000000', f: '3', t: 'numeric', n: '3' });
      await db.query('CREATE TEMP TABLE j (total int8)');
      await expect(db.query('INSERT INTO j VALUES ($1)', [String(Number('2.5'))])).rejects.toMatchObject({ code: '22P02' });
    } finally {
      await db.end();
    }
  });

  /** A lane database with the seed and one event more: 8 events, so 8 / 2 is not a whole number of batches of 2. */
  async function oddLane(name: string): Promise<{ db: pg.Client; url: string }> {
    const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await db.query("INSERT INTO customer_events (id, event_time, stitched, identifiers) VALUES ('00000000-0000-4000-8000-0000000000aa', '2026-01-01', '2026-01-02', '{unrelated}')");
    return { db, url: server.url(name) };
  }

  it('the multi-entity example runs through its export and check where the events are not a whole number of batches', async () => {
    const { db, url } = await oddLane('odd');
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    const report = await runOnLane(join(EXAMPLES_DIR, 'multi-entity-cockroachdb'), url, { to: 9 }).finally(() => platform.stop());
    expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
    await db.end();
  });

  it("the export's total as it was, (count(*) + N - 1) / N, is DECIMAL on the lane and cannot be written to the journal's INT8 column (22P02)", async () => {
    const { db, url } = await oddLane('odd-old');
    await db.end();
    const old = parseHeader(readFileSync(join(ROOT, 'test/fixtures/bounded/old-08-export-events.sql'), 'utf8'), 'old-08').header.progress!;
    const total = /, \(SELECT (\(count\(\*\) \+ 2 - 1\) \/ 2) FROM customer_events AS src\) AS total$/.exec(old)?.[1];
    expect(total).toBeDefined();
    const session = new pg.Client({ connectionString: url });
    await session.connect();
    try {
      const row = (await session.query<{ total: string }>(`SELECT ${total} AS total FROM customer_events AS src`)).rows[0];
      expect(row?.total).toMatch(/^4\.50*$/);
      await session.query('CREATE TEMP TABLE journal (progress_total int8)');
      await expect(session.query('INSERT INTO journal VALUES ($1)', [Number(row?.total)])).rejects.toMatchObject({ code: '22P02' });
    } finally {
      await session.end();
    }
  });
});
