/**
 * The lane divides integers as CockroachDB does (test/helpers/laneIntDivision.ts): `INT / INT` is
 * DECIMAL, `//` is integer division; and the runbooks' SQL never relies on `/` between integers.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { COCKROACH_COMPAT_SQL } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';

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
});
