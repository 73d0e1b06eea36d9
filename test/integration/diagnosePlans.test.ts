import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as statements from '../../src/diagnose/diagnoseSql.js';
import * as legacyStatements from '../../src/diagnose/legacySql.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
let db: pg.Client;
let legacy: pg.Client;

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
  SAMPLE_EVENTS: ['51eb851e-b851-eb85-1eb8-51eb851eb851', 400],
  SHARED_VALUES: [5, 100],
  ESTIMATES: [],
};
const LEGACY_PARAMS: Record<string, unknown[]> = {
  LEGACY_SAMPLE: ['51eb851e-b851-eb85-1eb8-51eb851eb851', 400, 'ps_identifier'],
  LEGACY_EVENTS_OF_ENTITY: ['00000000-0000-4000-8000-000000000001', 1_000_000],
  LEGACY_QUEUED: [['00000000-0000-4000-8000-000000000001']],
  LEGACY_BACKLOG: [1_000_000],
  LEGACY_ESTIMATES: [],
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
  // The legacy schema: 100,000 events, 20,000 entities of five matched events, a queue of 1,000.
  legacy = await server.database('legacyplans', LEGACY_SCHEMA_DDL);
  await legacy.query(
    `INSERT INTO cdp_ce.customer_events SELECT md5('legacy-' || g)::uuid::text, now(), jsonb_build_object('ps_identifier', 'v' || (g % 20000)) FROM generate_series(1, 100000) AS g`,
  );
  await legacy.query(`INSERT INTO cdp_ps.matching SELECT md5('legacy-' || g)::uuid, md5('entity-' || (g % 20000))::uuid FROM generate_series(1, 99000) AS g`);
  await legacy.query(`INSERT INTO cdp_ps.customer_events_to_process SELECT md5('legacy-' || g)::uuid, now() FROM generate_series(99001, 100000) AS g`);
  await legacy.query('ANALYZE');
}, 120_000);
afterAll(async () => {
  await db.end();
  await legacy.end();
  await server.stop();
});

const strings = (module: Record<string, unknown>) => Object.entries(module).filter((e): e is [string, string] => typeof e[1] === 'string');
const sql = [...strings(statements), ['ESTIMATES', statements.SESSIONS.postgres.estimates ?? ''] as [string, string]];
const legacySql = strings(legacyStatements);

async function plan(client: pg.Client, text: string, params: unknown[] | undefined): Promise<string> {
  return (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('diagnose reads customer_events through its indexes only', () => {
  it('has parameters for every statement', () => {
    expect(sql.map(([name]) => name).sort()).toEqual(Object.keys(PARAMS).sort());
    expect(legacySql.map(([name]) => name).sort()).toEqual(Object.keys(LEGACY_PARAMS).sort());
  });

  it.each(sql)('%s: no sequential scan of customer_events', async (name, text) => {
    const p = await plan(db, text, PARAMS[name]);
    expect(p, p).not.toMatch(/Seq Scan on customer_events/);
    if (/FROM customer_events\b/.test(text)) expect(p, p).toMatch(/Index Scan on customer_events_identifiers|Index Scan using customer_events_pkey/);
    // The sample reads a bounded range of the primary key: a limit over an index range scan.
    if (name === 'SAMPLE_EVENTS') expect(p, p).toMatch(/Limit[^\n]*\n\s+->\s+Index Scan using customer_events_pkey on customer_events e[^\n]*\n\s+Index Cond: \(id >= /);
  });

  it.each(legacySql)('legacy %s: no sequential scan of cdp_ce.customer_events or cdp_ps.matching', async (name, text) => {
    const p = await plan(legacy, text, LEGACY_PARAMS[name]);
    expect(p, p).not.toMatch(/Seq Scan on (customer_events|matching)\b/);
    if (name === 'LEGACY_SAMPLE') {
      expect(p, p).toMatch(/Limit[^\n]*\n\s+->\s+Nested Loop Left Join[\s\S]*Index Scan using customer_events_pkey on customer_events ce[^\n]*\n\s+Index Cond: \(id >= /);
      expect(p, p).toMatch(/Index (Only )?Scan using matching_pkey on matching m/);
    }
    if (name === 'LEGACY_EVENTS_OF_ENTITY') expect(p, p).toMatch(/(Bitmap Index Scan on|Index Only Scan using) matching_entity\b/);
  });
});
