/**
 * Every PostgreSQL batch statement stays bounded per batch once tables have a realistic size and
 * statistics: no sequential scan of customer_events, customer_attributes or a working table (the
 * keyset floor must be an Index Cond, the batch's rows index lookups). CockroachDB's shapes are
 * argued from its optimizer test data in the templates and checked by `restitch lint`.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { renderRunbook } from '../../src/core/render.js';
import type { Runbook } from '../../src/core/types.js';
import { loadTemplates } from '../../src/io/templateStore.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { setSlot } from '../../src/runner/batch/slots.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
const EVENTS = 200_000;
// Realistic: a batch is a small part of each table. (Where a batch would be a third of a table
// or more, PostgreSQL may rightly prefer one sequential scan: a handful of batches in all.)
const ENTITIES = 100_000;
/** An event's position as the PostgreSQL export records it (templates/partials/postgres/position.hbs). */
const POSITION = 'ctid';
let db: pg.Client;
const runbooks: [string, Runbook][] = [];

beforeAll(async () => {
  await server.start();
  db = await server.database('plans', CURRENT_SCHEMA_DDL);
  await db.query(`
    INSERT INTO customer_attributes
    SELECT 'entity-' || g, now(), now(), ARRAY['id-' || g] FROM generate_series(1, ${ENTITIES}) AS g;
    INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
    SELECT md5('event-' || g)::uuid, timestamptz '2026-01-01' + g * interval '1 second',
           jsonb_build_object('ps_identifier', 'id-' || (g % ${ENTITIES})), now(), ARRAY['id-' || (g % ${ENTITIES})]
    FROM generate_series(1, ${EVENTS}) AS g;
  `);
  const templates = loadTemplates();
  for (const scenario of ['full-reset', 'multi-entity', 'recalc-only']) {
    const entity = scenario === 'full-reset' ? {} : { entity: ['entity-1', 'entity-2'] };
    const inputs = await validateInputs({ scenario, dialect: 'postgres', incident: `plan-${scenario}`, ...entity });
    const rb = renderRunbook(inputs, templates, '0.0.0-test');
    runbooks.push([scenario, rb]);
    await db.query(rb.steps.find((s) => s.slug === 'create-working-tables')!.file.content);
  }
  // Working tables as a long step leaves them half way: every row backed up, the lower half done.
  const tables = (await db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'external_data'")).rows.map((r) => r.name);
  for (const name of tables) {
    const t = `external_data.${name}`;
    if (name.endsWith('_events_backup')) await db.query(`INSERT INTO ${t} (id, stitched, identifiers, ord) SELECT id, stitched, identifiers, ${POSITION} FROM customer_events`);
    else if (/_events_(reset|undo)_done$/.test(name)) await db.query(`INSERT INTO ${t} (ord, id) SELECT ${POSITION}, id FROM customer_events ORDER BY 1, 2 LIMIT ${EVENTS / 2}`);
    else if (name.endsWith('_entities_backup')) await db.query(`INSERT INTO ${t} SELECT customer_entity_id, modified, identifiers FROM customer_attributes`.replace('modified, identifiers', (await backupColumns(t)).join(', ')));
    else if (/_events_.*done$/.test(name)) await db.query(`INSERT INTO ${t} (id) SELECT id FROM customer_events ORDER BY id LIMIT ${EVENTS / 2}`);
    else if (/_entities_.*done$/.test(name)) await db.query(`INSERT INTO ${t} (id) SELECT customer_entity_id FROM customer_attributes ORDER BY 1 LIMIT ${ENTITIES / 2}`);
    else if (name.endsWith('_entities')) await db.query(`INSERT INTO ${t} (customer_entity_id) VALUES ('entity-1'), ('entity-2')`);
  }
  // A backup whose keys its loading step builds after loading it (the one-statement export) gets them now.
  for (const [, rb] of runbooks) {
    for (const step of rb.steps) for (const line of step.file.content.split('\n').filter((l) => /^CREATE (UNIQUE )?INDEX IF NOT EXISTS/.test(l))) await db.query(line);
  }
  await db.query('ANALYZE');
}, 300_000);
afterAll(async () => {
  await db?.end();
  await server.stop();
});

/** The entity columns a backup table keeps, after its key. */
async function backupColumns(table: string): Promise<string[]> {
  const [schema, name] = table.split('.');
  const cols = await db.query<{ c: string }>(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, name],
  );
  return cols.rows.map((r) => r.c).filter((c) => c !== 'customer_entity_id');
}

describe('PostgreSQL batch plans at a realistic size', () => {
  it('have tables to plan against', () => {
    expect(runbooks).toHaveLength(3);
  });

  it('multi-entity on PostgreSQL exports in one statement through the GIN index on identifiers, and its check reads the same way', async () => {
    const rb = runbooks.find(([s]) => s === 'multi-entity')![1];
    const exportStep = rb.steps.find((s) => s.slug === 'export-events')!;
    expect(exportStep.header.kind).toBe('change');
    const insert = /^INSERT INTO[\s\S]*?;$/m.exec(exportStep.file.content)![0];
    const check = rb.steps.find((s) => s.slug === 'export-complete')!.file.content;
    for (const sql of [insert, check.slice(check.indexOf('\n\n') + 2)]) {
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan, plan).toMatch(/Bitmap Index Scan on customer_events_identifiers\b[^\n]*\n\s+Index Cond: \(identifiers && \(InitPlan \d+\)\.col1\)/);
      expect(plan, plan).not.toMatch(/Seq Scan on customer_events\b/);
    }
  });

  it('multi-entity on CockroachDB exports one identifier of the entities after another, in batches by id, resumable, not in one transaction', async () => {
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'cockroachdb', incident: 'plan-crdb-export', entity: ['entity-1'] });
    const exportStep = renderRunbook(inputs, loadTemplates(), '0.0.0-test').steps.find((s) => s.slug === 'export-events')!;
    expect(exportStep.header.kind).toBe('batch');
    // Progress and floor read the entity backup and the done table, never customer_events.
    expect(exportStep.header.progress).toMatch(/_events_export_done\) AS done, /);
    expect(`${exportStep.header.progress} ${exportStep.header.floor}`).not.toMatch(/customer_events/);
    expect(exportStep.file.content).toMatch(/FROM customer_events AS e\n  WHERE e\.identifiers @> ARRAY\[\n      '' -- restitch:identifier\n/);
  });

  it.each(['full-reset', 'multi-entity', 'recalc-only'])('%s: no batch step (forward or undo) plans a sequential scan', async (scenario) => {
    const rb = runbooks.find(([s]) => s === scenario)![1];
    const batches = [...rb.steps, ...rb.undo].filter((s) => s.header.kind === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const step of batches) {
      const text = step.file.content.slice(step.file.content.indexOf('\n\n') + 2);
      // Every batch but a run's first, as the runner sends it: the first-batch look (past the point
      // of no return, for CPS's work since the pause) is folded away there.
      const later = /restitch:first-batch/.test(text);
      const body = later ? setSlot(text, 'first-batch', 0) : text;
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${body}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      // The export compares each event of its batch with the entities to reset (`&&`): the entity
      // backup, as small as the list of chosen entities, is read whole; nothing else may be (the
      // one-row stamp of the working tables aside).
      const seq = plan.split('\n').filter((l) => l.includes('Seq Scan') && !/Seq Scan on \S+_backup_meta\b/.test(l));
      const allowed = step.slug === 'export-events' ? /Seq Scan on \S+_entities_backup a\b/ : /$^/;
      expect(seq.filter((l) => !allowed.test(l)), `${step.file.path}\n${plan}`).toEqual([]);
      if (later) {
        // A run's first batch looks once: multi-entity through the index on identifiers (the
        // entity backup read whole, as in the export); the full reset, which resets every event,
        // reads customer_events whole once per run (its reset is a declared whole-table step).
        const first = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
        const once = scenario === 'full-reset' ? /Seq Scan on (\S+_entities_backup a|customer_events e|\S+_backup_meta \w+)\b/ : /Seq Scan on (\S+_entities_backup a|\S+_backup_meta \w+)\b/;
        expect(first.split('\n').filter((l) => l.includes('Seq Scan') && !once.test(l)), `${step.file.path} (first batch)\n${first}`).toEqual([]);
      }
      // The keyset floor constrains the scan of the batch's source; over the events backup the
      // walk is the events' positions in customer_events, (ord, id).
      const floor = /_events_backup src\b/.test(plan) ? '[^\\n]*ROW\\(ord, id\\) > ROW\\(COALESCE\\(\\(InitPlan' : '\\((id|customer_entity_id) > COALESCE\\(\\(InitPlan';
      expect(plan, `${step.file.path}\n${plan}`).toMatch(new RegExp(`Index (Only )?Scan using \\S+ on \\S+ src\\s[\\s\\S]*?Index Cond: ${floor}`));
    }
  });
});

describe('PostgreSQL walks the events backup in the order the events lie in customer_events', () => {
  it('the backup records each event\'s position; the first reset batch takes the events of the first pages, not the lowest UUIDs', async () => {
    const inputs = await validateInputs({ scenario: 'full-reset', dialect: 'postgres', incident: 'plan-order', batchSize: '20000' });
    const rb = renderRunbook(inputs, loadTemplates(), '0.0.0-test');
    const body = (slug: string) => {
      const content = rb.steps.find((s) => s.slug === slug)!.file.content;
      return content.slice(content.indexOf('\n\n') + 2);
    };
    await db.query(rb.steps.find((s) => s.slug === 'create-working-tables')!.file.content);
    // The events were written in event_time order, so their heap order is event_time order and
    // their UUID order (md5) is unrelated to it.
    while (((await db.query(body('backup-events'))).rowCount ?? 0) > 0);
    await db.query('ANALYZE external_data.rs_plan_order_events_backup');
    expect((await db.query(body('reset-events'))).rowCount).toBe(20_000);
    const first = await db.query<{ n: string; latest: Date }>(
      'SELECT count(*) AS n, max(e.event_time) AS latest FROM customer_events AS e JOIN external_data.rs_plan_order_events_reset_done AS d ON d.id = e.id',
    );
    expect(Number(first.rows[0]!.n)).toBe(20_000);
    expect(first.rows[0]!.latest.toISOString()).toBe(new Date(Date.parse('2026-01-01T00:00:00Z') + 20_000 * 1000).toISOString());
    // And the walk goes on exactly where it stopped: every event once.
    while (((await db.query(body('reset-events'))).rowCount ?? 0) > 0);
    const all = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM external_data.rs_plan_order_events_reset_done');
    expect([Number(all.rows[0]!.n), Number(all.rows[0]!.d)]).toEqual([EVENTS, EVENTS]);
    // Put the events back as the other tests expect them (stitched).
    await db.query('UPDATE customer_events SET stitched = b.stitched, identifiers = b.identifiers FROM external_data.rs_plan_order_events_backup AS b WHERE b.id = customer_events.id');
  }, 120_000);
});

describe('CockroachDB batch statements with the floor bound as the runner binds it (run on PostgreSQL)', () => {
  it('walk every key exactly once in bounded batches, the floor a constrained range; pasted unbound, a batch still skips done keys', async () => {
    const inputs = await validateInputs({ scenario: 'full-reset', dialect: 'cockroachdb', incident: 'plan-crdb', batchSize: '5000' });
    const rb = renderRunbook(inputs, loadTemplates(), '0.0.0-test');
    await db.query(rb.steps.find((s) => s.slug === 'create-working-tables')!.file.content);
    await db.query('INSERT INTO external_data.rs_plan_crdb_events_backup (id, stitched, identifiers) SELECT id, stitched, identifiers FROM customer_events');
    await db.query('ANALYZE external_data.rs_plan_crdb_events_backup');
    const step = rb.steps.find((s) => s.slug === 'reset-events')!;
    const body = step.file.content.slice(step.file.content.indexOf('\n\n') + 2);
    const whole = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    // Pasted as it is, after a first batch: correct (the done keys are skipped), just not bounded.
    expect((await db.query(body)).rowCount).toBe(5000);
    expect((await db.query(body)).rowCount).toBe(5000);
    let batches = 2;
    for (;;) {
      const floor = (await db.query<{ floor: string }>(step.header.floor!, whole)).rows[0]?.floor ?? null;
      const bound = floor === null ? body : setSlot(body, 'floor', floor);
      if (batches === 10) {
        const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${bound}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain(`Index Cond: ((id > '${floor}'::uuid) AND (id <= 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))`);
      }
      const n = (await db.query(bound)).rowCount ?? 0;
      expect(n).toBeLessThanOrEqual(5000);
      if (n === 0) break;
      batches += 1;
    }
    expect(batches).toBe(EVENTS / 5000);
    const left = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM external_data.rs_plan_crdb_events_backup AS b WHERE NOT EXISTS (SELECT 1 FROM external_data.rs_plan_crdb_events_reset_done AS d WHERE d.id = b.id)',
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM customer_events WHERE stitched IS NOT NULL')).rows[0]!.n)).toBe(0);
  });
});
