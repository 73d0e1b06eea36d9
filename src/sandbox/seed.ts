import type { Queryable } from './db.js';

export const E1 = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11';
export const E2 = '9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33';
export const E3 = 'keep-entity';
const ev = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * Current schema: E1 glued by the identifier "None", E2 a customer seen as 12345 and 12345.0, E3 must stay as it
 * is, and event 7 has an empty identifier array (contained in every array).
 */
export async function seedCurrent(db: Queryable): Promise<void> {
  await db.query(`
    INSERT INTO customer_attributes VALUES
      ('${E1}', '2026-01-01', '2026-01-01', '{None,a1}'),
      ('${E2}', '2026-01-01', '2026-01-01', '{12345}'),
      ('${E3}', '2026-01-01', '2026-01-01', '{c1}');
    INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES
      ('${ev(1)}', '2026-01-01 10:00', '{"ps_identifier": "None"}', '2026-01-02', '{None}'),
      ('${ev(2)}', '2026-01-01 11:00', '{"ps_identifier": "a1"}', '2026-01-02', '{a1}'),
      ('${ev(3)}', '2026-01-01 12:00', '{"ps_identifier": "None"}', '2026-01-02', '{None}'),
      ('${ev(4)}', '2026-01-01 13:00', '{"ps_identifier": "12345"}', '2026-01-02', '{12345}'),
      ('${ev(5)}', '2026-01-01 14:00', '{"ps_identifier": "12345.0"}', '2026-01-02', '{12345}'),
      ('${ev(6)}', '2026-01-01 15:00', '{"ps_identifier": "c1"}', '2026-01-02', '{c1}'),
      ('${ev(7)}', '2026-01-01 16:00', '{}', '2026-01-02', '{}');
  `);
}

export const E4 = '4d7e1b2c-5f3a-4e6b-9c8d-1a2b3c4d5e6f';

/**
 * The other half of E2's customer: the broken rule kept `12345.0` as an identifier of its own,
 * so the customer seen as 12345 and 12345.0 is split across E2 and E4 (the demo's split).
 */
export async function seedSplitTwin(db: Queryable): Promise<void> {
  await db.query(`INSERT INTO customer_attributes VALUES ('${E4}', '2026-01-01', '2026-01-01', '{12345.0}')`);
  await db.query(
    `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
     VALUES ($1, '2026-01-01 18:00', '{"ps_identifier": "12345.0"}', '2026-01-02', '{12345.0}')`,
    [ev(9)],
  );
}

/**
 * An event whose identifiers only partly overlap E1: it holds E1's `a1` and E3's `c1`, as data
 * stitched by an earlier rule can (profile stitching would have merged the two). Its payload says
 * `c1`, so the corrected rule stitches it to E3's customer.
 */
export async function seedPartialOverlap(db: Queryable): Promise<string> {
  await db.query(
    `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
     VALUES ($1, '2026-01-01 17:00', '{"ps_identifier": "c1"}', '2026-01-02', '{a1,c1}')`,
    [ev(8)],
  );
  return ev(8);
}

/**
 * `count` more events glued to E1 by the identifier "None", for the kill tests and the benchmark.
 * Ids are md5-scattered UUIDs (deterministic, in no particular order), as real event ids are.
 */
export async function seedGluedEvents(db: Queryable, count: number): Promise<void> {
  await db.query(
    `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
     SELECT md5('restitch-' || g)::uuid, timestamptz '2026-01-01' + g * interval '1 second',
            '{"ps_identifier": "None"}', '2026-01-02', '{None}'
     FROM generate_series(1, $1::int) AS g`,
    [count],
  );
}

export const L1 = '11111111-1111-4111-8111-111111111111';
export const L3 = '33333333-3333-4333-8333-333333333333';

/** Legacy schema: L1 glued by "None", E2 (as L2) a plain customer, L3 untouched, event 7 orphaned. */
export async function seedLegacy(db: Queryable): Promise<void> {
  const events = [
    [1, 'None', L1], [2, 'None', L1], [3, 'x1', L1], [4, 'y1', E2], [5, 'y1', E2], [6, 'z1', L3], [7, 'w1', null],
  ] as const;
  for (const [n, identifier, entity] of events) {
    await db.query(`INSERT INTO cdp_ce.customer_events VALUES ($1, '2026-01-01', $2)`, [ev(n), { ps_identifier: identifier }]);
    if (entity) await db.query('INSERT INTO cdp_ps.matching VALUES ($1, $2)', [ev(n), entity]);
  }
}

/** Every platform row, in a stable order, for exact before/after comparisons. */
export async function snapshot(db: Queryable, legacy: boolean): Promise<Record<string, unknown[]>> {
  const tables = legacy
    ? {
        events: 'SELECT * FROM cdp_ce.customer_events ORDER BY id',
        matching: 'SELECT * FROM cdp_ps.matching ORDER BY customer_event_id',
        audit: 'SELECT * FROM cdp_attr.customer_entities_audit ORDER BY 1, 2',
        queue: 'SELECT * FROM cdp_ps.customer_events_to_process ORDER BY 1, 2',
      }
    : {
        entities: 'SELECT * FROM customer_attributes ORDER BY customer_entity_id',
        events: 'SELECT * FROM customer_events ORDER BY id',
      };
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(tables)) out[name] = (await db.query(sql)).rows;
  return out;
}

export { ev };
