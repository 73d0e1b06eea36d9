/** Each option of the platform model does what docs/platform-model.md says, round by round. */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalId, platformModel, type CleanupMode } from '../../src/sandbox/platformModel.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, L1, ev, seedCurrent, seedLegacy } from '../../src/sandbox/seed.js';
import { brokenRule } from '../../src/sandbox/simulator.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

async function current(): Promise<pg.Client> {
  const db = await server.database(`m${++dbCount}`, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return db;
}

const entity = async (db: pg.Client, id: string) => (await db.query('SELECT * FROM customer_attributes WHERE customer_entity_id = $1', [id])).rows[0];
const event = async (db: pg.Client, id: string) => (await db.query('SELECT stitched IS NOT NULL AS stitched, identifiers FROM customer_events WHERE id = $1', [id])).rows[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the platform model', () => {
  it('cpsOn: CPS stitches with the broken rule while the journal says it is disabled; cpsOff stops it', async () => {
    const db = await current();
    const model = platformModel(false);
    model.schedule({ arrivals: [{ afterMs: 0, identifier: 'None' }] });
    model.cpsOn();
    await model.round(db, false);
    expect(await event(db, arrivalId(1))).toEqual({ stitched: true, identifiers: ['None'] });
    expect((await entity(db, E1)).identifiers).toEqual(['None', 'a1']);
    model.cpsOff();
    model.schedule({ arrivals: [{ afterMs: 0, identifier: 'a1' }] });
    await model.round(db, false);
    expect(await event(db, arrivalId(2))).toEqual({ stitched: false, identifiers: null });
    await db.end();
  });

  it('cpsWindows: CPS runs only inside the window, and a window still ahead is pending', async () => {
    const db = await current();
    const ahead = platformModel(false, { cpsWindows: [{ fromMs: 60_000, toMs: 70_000 }], arrivals: [{ afterMs: 0, identifier: 'None' }] });
    expect(await ahead.round(db, false)).toEqual({ changed: 1, pending: true });
    expect(await event(db, arrivalId(1))).toEqual({ stitched: false, identifiers: null });
    const open = platformModel(false, { cpsWindows: [{ fromMs: 0, toMs: 60_000, rule: brokenRule }] });
    await open.round(db, false);
    expect(await event(db, arrivalId(1))).toEqual({ stitched: true, identifiers: ['None'] });
    await db.end();
  });

  it('an arrival with several identifiers joins every entity that holds one of them', async () => {
    const db = await current();
    const model = platformModel(false, { arrivals: [{ afterMs: 0, identifier: ['a1', '12345.0', 'n2'] }] });
    await model.round(db, true);
    expect(await event(db, arrivalId(1))).toEqual({ stitched: true, identifiers: ['12345', 'a1', 'n2'] });
    expect((await entity(db, E1)).identifiers).toEqual(['12345', 'None', 'a1', 'n2']);
    expect(await entity(db, E2)).toBeUndefined();
    await db.end();
  });

  it('writes: another writer recalculates an entity, un-marking one marked for deletion', async () => {
    const db = await current();
    await db.query('UPDATE customer_attributes SET modified = NULL, identifiers = NULL WHERE customer_entity_id = $1', [E1]);
    const model = platformModel(false, { writes: [{ afterMs: 0, entity: E1 }] });
    const before = await entity(db, E2);
    await model.round(db, false);
    const after = await entity(db, E1);
    expect(after.modified).not.toBeNull();
    expect(after.calculated.getTime()).toBeGreaterThan(new Date('2026-01-01').getTime());
    expect(await entity(db, E2)).toEqual(before);
    await db.end();
  });

  it.each([
    [false, 'keeps modified'],
    [true, 'sets modified'],
  ])('recalculationSetsModified %s: the recalculation %s', async (setsModified) => {
    const db = await current();
    await db.query('UPDATE customer_attributes SET calculated = NULL WHERE customer_entity_id = $1', [E1]);
    await platformModel(false, { recalculationSetsModified: setsModified }).round(db, false);
    const e = await entity(db, E1);
    expect(e.calculated).not.toBeNull();
    expect(e.modified.getTime() !== new Date('2026-01-01').getTime()).toBe(setsModified);
    await db.end();
  });

  it.each([
    ['recheck', 1],
    ['read-then-delete', 0],
  ] as [CleanupMode, number][])('cleanup %s: an entity put back inside the delay is kept (%i) or deleted', async (cleanup, kept) => {
    const db = await current();
    await db.query('UPDATE customer_attributes SET modified = NULL WHERE customer_entity_id = $1', [E1]);
    const model = platformModel(false, { cleanup, cleanupDelayMs: 100 });
    expect(await model.round(db, false)).toEqual({ changed: 0, pending: true });
    await db.query(`UPDATE customer_attributes SET modified = '2026-01-01' WHERE customer_entity_id = $1`, [E1]);
    await sleep(150);
    await model.round(db, false);
    expect((await db.query('SELECT 1 FROM customer_attributes WHERE customer_entity_id = $1', [E1])).rowCount).toBe(kept);
    await db.end();
  });

  it('legacyArrivals: plumbing writes the event and its queue row; the legacy stitcher reads every identifier of an array', async () => {
    const db = await server.database(`m${++dbCount}`, LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const arrivals = [{ afterMs: 0, identifier: ['x1', 'q9'] }];
    expect(await platformModel(true, { arrivals }).round(db, false)).toEqual({ changed: 0, pending: false });
    const model = platformModel(true, { arrivals, legacyArrivals: true });
    await model.round(db, false);
    expect((await db.query('SELECT customer_event_id::text AS id FROM cdp_ps.customer_events_to_process')).rows).toEqual([{ id: arrivalId(1) }]);
    await model.round(db, true);
    expect((await db.query('SELECT count(*)::int AS n FROM cdp_ps.customer_events_to_process')).rows[0]?.n).toBe(0);
    // x1 is an identifier of L1's event 3: the arrival joins L1.
    expect((await db.query('SELECT customer_entity_id::text AS e FROM cdp_ps.matching WHERE customer_event_id = $1', [arrivalId(1)])).rows).toEqual([{ e: L1 }]);
    expect((await db.query('SELECT customer_entity_id::text AS e FROM cdp_ps.matching WHERE customer_event_id = $1', [ev(3)])).rows).toEqual([{ e: L1 }]);
    await db.end();
  });
});
