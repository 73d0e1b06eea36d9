import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as statements from '../../src/diagnose/diagnoseSql.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
let db: pg.Client;

/** Parameters for each statement diagnose sends; a statement added without an entry fails the test. */
const PARAMS: Record<string, unknown[]> = {
  JUNK_HOLDERS: [['none', 'null'], 10_000],
  EVENTS_WITH_VALUE: [['None'], 1_000_000],
  UNNORMAL_VALUES: [10_000],
  VALUE_HOLDERS: [['12345'], 10_000],
  MOST_IDENTIFIERS: [100],
  ENTITY_IDENTIFIERS: [['e1']],
  EVENTS_OF_ENTITY: [['v1', 'w1'], 1_000_000],
  ENTITIES_WITHOUT_EVENTS: [10_000],
  EMPTY_IDENTIFIER_EVENTS: [1_000_000],
  ESTIMATES: [],
};

beforeAll(async () => {
  await server.start();
  db = await server.database('plans', CURRENT_SCHEMA_DDL);
  // A realistic shape: 20,000 entities of two identifiers, 100,000 events, five per entity.
  await db.query(`INSERT INTO customer_attributes SELECT 'e' || g, now(), now(), ARRAY['v' || g, 'w' || g] FROM generate_series(1, 20000) AS g`);
  await db.query(
    `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
     SELECT md5('diagnose-' || g)::uuid, now(), '{}', now(), ARRAY['v' || (g % 20000 + 1)] FROM generate_series(1, 100000) AS g`,
  );
  await db.query('ANALYZE');
}, 120_000);
afterAll(async () => {
  await db.end();
  await server.stop();
});

const sql = [
  ...Object.entries(statements as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ['ESTIMATES', statements.SESSIONS.postgres.estimates ?? ''] as [string, string],
];

describe('diagnose reads customer_events through its GIN index only', () => {
  it('has parameters for every statement', () => expect(sql.map(([name]) => name).sort()).toEqual(Object.keys(PARAMS).sort()));

  it.each(sql)('%s: no sequential scan of customer_events', async (name, text) => {
    const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, PARAMS[name])).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan, plan).not.toMatch(/Seq Scan on customer_events/);
    if (/FROM customer_events/.test(text)) expect(plan, plan).toMatch(/Index Scan on customer_events_identifiers/);
  });
});
