import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedPlatform } from '../../src/sandbox/simulatedPlatform.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, E3, L1, ev, seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { platformBeside, confirmManual, runInProcess, startCli } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-safety-'));
let dbCount = 0;

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

async function fresh(legacy: boolean): Promise<{ db: pg.Client; url: string }> {
  const name = `s${++dbCount}`;
  const db = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
  await (legacy ? seedLegacy(db) : seedCurrent(db));
  return { db, url: server.url(name) };
}

function generate(scenario: string, incident: string, args: string[]): string {
  const out = join(work, incident);
  const r = runCli(['generate', scenario, '--dialect', 'postgres', '--incident', incident, '--out', out, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

type Row = { check_name: string; ok: boolean; detail: string };
/** Runs step `file` of `dir` (a check or wait) once and returns its rows. */
const checkRows = async (db: pg.Client, dir: string, file: string): Promise<Row[]> => (await db.query<Row>(readFileSync(join(dir, file), 'utf8'))).rows;
const failing = (rows: Row[]) => rows.filter((r) => r.ok !== true).map((r) => r.check_name);

describe('filters choose entities, so no event is left stitched to a deleted entity', () => {
  it('multi-entity with --event-time-from/--event-time-to resets every event of the entity it chooses', async () => {
    // Only event 3 (12:00, of E1) is in the window: E1 is chosen and all of its events are reset.
    const dir = generate('multi-entity', 'window', ['--entity', E1, '--entity', E2, '--event-time-from', '2026-01-01T11:30:00Z', '--event-time-to', '2026-01-01T12:30:00Z']);
    const { db, url } = await fresh(false);
    const before = await snapshot(db, false);
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    const report = await runInProcess(dir, url);
    await platform.stop();
    expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(await orphanedEvents(db)).toEqual([]);
    const after = await snapshot(db, false);
    const entities = (after.entities as { customer_entity_id: string }[]).map((e) => e.customer_entity_id);
    expect(entities).not.toContain(E1);
    expect(entities).toContain(E2);
    const events = new Map((after.events as { id: string; stitched: unknown }[]).map((e) => [e.id, e]));
    const was = new Map((before.events as { id: string; stitched: unknown }[]).map((e) => [e.id, e]));
    for (const n of [1, 2, 3]) expect(events.get(ev(n))?.stitched, `event ${n} re-stitched`).not.toEqual(was.get(ev(n))?.stitched);
    for (const n of [4, 5, 6, 7]) expect(events.get(ev(n)), `event ${n} untouched`).toEqual(was.get(ev(n)));
    await db.end();
  });

  it('the export check names the events an export would leave out', async () => {
    const dir = generate('multi-entity', 'window-check', ['--entity', E1, '--where', "customer_events.payload->>'ps_identifier' = 'a1'"]);
    const { db, url } = await fresh(false);
    const report = await runInProcess(dir, url, { to: 8 });
    expect(report.exitCode).toBe(0);
    const exportCheck = '09-export-complete.sql';
    expect(failing(await checkRows(db, dir, exportCheck))).toEqual([]);
    // The export as the old filter made it: only the event passing the filter.
    await db.query(`DELETE FROM external_data.rs_window_check_events_backup WHERE id <> '${ev(2)}'`);
    const rows = await checkRows(db, dir, exportCheck);
    expect(failing(rows)).toEqual([
      'no event of the entities to reset is left out (it would keep identifiers no entity holds)',
      'no event sharing an identifier the entities to reset hold now is left out',
    ]);
    expect(rows.find((r) => !r.ok)?.detail).toBe('2 events would be orphaned');
    await db.end();
  });
});

describe('legacy Step 0 deletes a chosen subset, never a whole entity', () => {
  it('refuses the bare --delete-events flag, which deleted every event of the entities', () => {
    const r = runCli(['generate', 'legacy-steps', '--dialect', 'postgres', '--incident', 'purge', '--entity', L1, '--delete-events', '--out', join(work, 'purge')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^restitch: --delete-events is replaced by --delete-where SQL/);
  });

  it('proves --delete-where is one expression with the --where validator', () => {
    const r = runCli(['generate', 'legacy-steps', '--dialect', 'postgres', '--incident', 'bad', '--entity', L1, '--delete-where', 'true; DROP TABLE x', '--out', join(work, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--delete-where must be one condition');
  });

  it('stops with nothing deleted when --delete-where would take every event of an entity', async () => {
    const dir = generate('legacy-steps', 'purge-all', ['--entity', E2, '--delete-where', "customer_events.payload->>'ps_identifier' = 'y1'"]);
    const { db, url } = await fresh(true);
    const report = await runInProcess(dir, url);
    expect(report.exitCode).toBe(1);
    const failed = report.steps.find((s) => s.status === 'failed');
    expect(failed?.file).toBe('07-events-to-delete-backed-up.sql');
    expect(failed?.details?.find((r) => r.ok !== true)?.detail).toBe('1 entities would keep no event; narrow --delete-where');
    expect(Number((await db.query('SELECT count(*) AS n FROM cdp_ce.customer_events')).rows[0]?.n)).toBe(7);
    await db.end();
  });
});

describe('waits that can end', () => {
  it('legacy restitched passes once CPS has emptied the queue, counting the events left unmatched', async () => {
    const dir = join(EXAMPLES_DIR, 'legacy-steps-postgres');
    const { db, url } = await fresh(true);
    const steps = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const files = (JSON.parse(steps) as { steps: { file: string }[] }).steps.map((s) => s.file);
    const enable = files.findIndex((f) => f.endsWith('-enable-cps.sql'));
    expect((await runInProcess(dir, url, { to: enable })).exitCode).toBe(0);
    const wait = files[enable + 1] as string;
    expect(failing(await checkRows(db, dir, wait)), 'queued, CPS still off').toHaveLength(2);
    const p = simulatedPlatform(db, true);
    await p.manual('enable-cps');
    await p.tick();
    const rows = await checkRows(db, dir, wait);
    expect(failing(rows)).toEqual([]);
    expect(rows[0]?.detail).toBe('0 events still queued; 2 events left the queue without a matching row (information: CPS writes none for an event whose value is no identifier, and nothing shows it processed them)');
    await db.end();
  });
});

describe('the information a wait ends on', () => {
  it('restitch run prints how many processed events were left unmatched', async () => {
    const dir = join(EXAMPLES_DIR, 'legacy-steps-postgres');
    const { db, url } = await fresh(true);
    const platform = platformBeside(url, true, 'temp_table.restitch_journal');
    const r = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--wait-interval', '0.1']).done;
    await platform.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('step 17: passed: 0 events still queued; 2 events left the queue without a matching row (information: CPS writes none for an event whose value is no identifier, and nothing shows it processed them)');
    await db.end();
  });
});

describe('the legacy platform model', () => {
  it('merges the entities that hold an identifier and leaves an event with no identifier unmatched', async () => {
    const { db } = await fresh(true);
    const other = '22222222-2222-4222-8222-222222222222';
    // x1 is held by L1 (event 3) and, as "x1.0" under the fixed rule, by another entity.
    await db.query(`INSERT INTO cdp_ce.customer_events VALUES ('${ev(8)}', '2026-01-01', '{"ps_identifier": "x1"}'), ('${ev(9)}', '2026-01-01', '{"ps_identifier": "None"}')`);
    await db.query(`INSERT INTO cdp_ps.matching VALUES ('${ev(5)}', '${other}') ON CONFLICT (customer_event_id) DO UPDATE SET customer_entity_id = '${other}'`);
    await db.query(`UPDATE cdp_ce.customer_events SET payload = '{"ps_identifier": "x1"}' WHERE id = '${ev(5)}'`);
    await db.query(`INSERT INTO cdp_ps.customer_events_to_process VALUES ('${ev(8)}', now()), ('${ev(9)}', now())`);
    const p = simulatedPlatform(db, true);
    await p.manual('enable-cps');
    await p.tick();
    const owner = async (n: number) => (await db.query('SELECT customer_entity_id FROM cdp_ps.matching WHERE customer_event_id = $1', [ev(n)])).rows[0]?.customer_entity_id;
    const merged = [L1, other].sort()[0];
    for (const n of [3, 5, 8]) expect(await owner(n), `event ${n} in the merged entity`).toBe(merged);
    expect(await owner(9), 'an event whose only identifier is "None" stays unmatched').toBeUndefined();
    expect((await db.query('SELECT * FROM cdp_ps.customer_events_to_process')).rows).toEqual([]);
    await db.end();
  });
});

describe('the one-shot guard has a lower bound and sees partial overlap', () => {
  it('refuses an entity without events', async () => {
    const dir = generate('entity-oneshot', 'empty', ['--entity', 'lonely']);
    const { db } = await fresh(false);
    await db.query("INSERT INTO customer_attributes VALUES ('lonely', now(), now(), '{q9}')");
    expect(failing(await checkRows(db, dir, '04-guard.sql'))).toEqual(['the entity has at least one and fewer than 1000 events']);
    await db.end();
  });

  it('refuses, and names, an event that shares only some identifiers with the entity', async () => {
    const dir = generate('entity-oneshot', 'partial', ['--entity', E1]);
    const { db } = await fresh(false);
    expect(failing(await checkRows(db, dir, '04-guard.sql'))).toEqual([]);
    await db.query(`INSERT INTO customer_events VALUES ('${ev(8)}', '2026-01-01', '{}', now(), '{a1,c1}')`);
    const rows = await checkRows(db, dir, '04-guard.sql');
    expect(failing(rows)).toEqual(['no event shares only some of its identifiers with the entity']);
    expect(rows.find((r) => !r.ok)?.detail).toBe(`1 events overlap the entity only partly (e.g. ${ev(8)}); use multi-entity`);
    await db.end();
  });
});

describe('checks that verify real effects', () => {
  it('entities-loaded sees a wrong id in the working table even when the count is right and the entity exists', async () => {
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const { db, url } = await fresh(false);
    expect((await runInProcess(dir, url, { to: 5 })).exitCode).toBe(0);
    await db.query(`UPDATE external_data.rs_example_multi_entities SET customer_entity_id = '${E3}' WHERE customer_entity_id = '${E2}'`);
    expect(failing(await checkRows(db, dir, '05-entities-loaded.sql'))).toEqual(['the working table holds exactly the 2 ids of entities.txt']);
    await db.end();
  });

  it('legacy checks read cdp_attr.customer_entities_audit and cdp_ps.customer_events_to_process, not only their own records', async () => {
    const dir = join(EXAMPLES_DIR, 'legacy-steps-postgres');
    const { db, url } = await fresh(true);
    expect((await runInProcess(dir, url, { to: 15 })).exitCode).toBe(0);
    await db.query('DELETE FROM cdp_attr.customer_entities_audit');
    await db.query('DELETE FROM cdp_ps.customer_events_to_process');
    expect(failing(await checkRows(db, dir, '13-entity-deletes-queued.sql'))).toEqual(['every entity to clean has a delete action in cdp_attr.customer_entities_audit']);
    expect(failing(await checkRows(db, dir, '15-events-queued.sql'))).toEqual(['every event to clean is waiting in cdp_ps.customer_events_to_process']);
    await db.end();
  });
});
