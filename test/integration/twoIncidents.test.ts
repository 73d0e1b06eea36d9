/**
 * One stitching change per database at a time: the incident registry of the work schema
 * (restitch_incidents). Incident B, whose entity shares the identifier `a1` with A's entity E1,
 * is refused while A is open (by the runner, and by its preflight when pasted by hand); A's undo
 * is refused once B has begun; B goes ahead once A is complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { releaseIncident } from '../../src/runner/registry/releaseIncident.js';
import { silentUi } from '../../src/runner/ui.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, L1, seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { confirmManual, platformBeside, runInProcess, startCli } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('two-incidents');
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const JOURNAL = 'external_data.restitch_journal';
const REGISTRY = 'external_data.restitch_incidents';
/** B's entity: a customer that holds `a1`, an identifier E1 (A's entity) holds too. */
const SHARED = 'shared-a1';
const ENTITIES_RESET = 11;
const EVENTS_RESET = 14;

function generate(incident: string, entity: string, dialect = 'postgres'): string {
  const out = join(work, `${incident}-${dialect}`);
  const r = runCli(['generate', 'multi-entity', '--dialect', dialect, '--incident', incident, '--entity', entity, '--out', out, '--force']);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function seeded(lane = false): Promise<{ db: pg.Client; url: string }> {
  const name = `i${++dbCount}`;
  const db = await server.database(name, (lane ? COCKROACH_COMPAT_SQL : '') + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await db.query(`INSERT INTO customer_attributes VALUES ('${SHARED}', '2026-01-01', '2026-01-01', '{a1}')`);
  return { db, url: server.url(name) };
}

/** The SQL of a step file after its header comments, as pasted into psql. */
const body = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n');
const notOk = (rows: { check_name: string; ok: boolean }[]) => rows.filter((r) => r.ok !== true).map((r) => r.check_name);
const registry = async (db: pg.Client) => (await db.query(`SELECT incident, closed_at IS NULL AS open, closed_how FROM ${REGISTRY} ORDER BY began_at`)).rows;
const exists = async (db: pg.Client, table: string) => (await db.query(`SELECT to_regclass($1)::text AS t`, [table])).rows[0].t !== null;
const done = (report: { exitCode: number; steps: { status: string }[] }) => expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);

describe('two incidents on one database', () => {
  it('B is refused while A is open, by the runner and by its preflight pasted by hand; nothing changed', async () => {
    const { db, url } = await seeded();
    const a = generate('inc-a', E1);
    done(await runInProcess(a, url, { to: ENTITIES_RESET }));
    const before = await snapshot(db, false);

    const b = generate('inc-b', SHARED);
    await expect(runInProcess(b, url, { yes: true, confirm: [1] })).rejects.toThrow(
      /another incident is changing this database: inc-a \(version [0-9a-f]{12}, began \S+\)\. .*nothing was run\. Finish it \(restitch run <its directory>\) or undo it .*restitch release-incident .* --incident inc-a \(recorded in the journal history\)/,
    );
    expect(await exists(db, 'external_data.rs_inc_b_entities')).toBe(false);

    // Pasted by hand: the working tables are created, but B is not registered, and its preflight refuses naming A.
    await db.query(body(b, '02-create-working-tables.sql'));
    const rows = (await db.query(body(b, '03-preflight.sql'))).rows;
    expect(notOk(rows)).toEqual(['no other incident is changing this database', 'this incident is registered as the one changing this database']);
    expect(rows.find((r) => r.check_name === 'no other incident is changing this database')?.detail).toMatch(/^incident inc-a \(version [0-9a-f]{12}, began .*\) is open: .*restitch release-incident <this directory> --incident <its incident>/);
    expect(await registry(db)).toEqual([{ incident: 'inc-a', open: true, closed_how: null }]);
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
  }, 60_000);

  it("A's undo after B began (A released) is refused, and nothing changed: B's reset of a shared event stays", async () => {
    const { db, url } = await seeded();
    const a = generate('inc-a', E1);
    done(await runInProcess(a, url, { to: ENTITIES_RESET }));
    const b = generate('inc-b', SHARED);
    const released = runCli(['release-incident', b, '--incident', 'inc-a', '--db', url, '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout + released.stderr).toMatch(/released incident inc-a; recorded in external_data\.restitch_journal_history/);
    expect((await db.query(`SELECT status, confirmed_by FROM external_data.restitch_journal_history WHERE runbook_id = 'inc-a' AND status = 'incident-released'`)).rows).toEqual([{ status: 'incident-released', confirmed_by: '--yes' }]);

    // B resets its entity; the clean-up routine deletes it; B resets the events of `a1`, among them event 2.
    done(await runInProcess(b, url, { to: ENTITIES_RESET }));
    await db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = $1 AND modified IS NULL`, [SHARED]);
    done(await runInProcess(b, url, { to: EVENTS_RESET }));
    const before = await snapshot(db, false);
    expect((before.events as { identifiers: string[] | null; stitched: Date | null }[]).filter((e) => e.stitched === null).length).toBeGreaterThan(0);

    const undo = await runInProcess(a, url, { undo: true, yes: true, confirm: [1] });
    expect(undo.exitCode).toBe(1);
    const failed = undo.steps.find((s) => s.status === 'failed');
    expect(failed?.file).toBe('undo/03-undo-applies.sql');
    const row = failed?.details?.find((r) => r.ok !== true);
    expect(row?.check_name).toBe('no other incident began changing this database since this one');
    expect(String(row?.detail)).toMatch(/^incident inc-b \(version [0-9a-f]{12}\) began .*, after this one: .*Nothing was changed; undo no longer applies/);
    expect(await snapshot(db, false)).toEqual(before);
    // Nor does A's forward run go on once released.
    await expect(runInProcess(a, url)).rejects.toThrow(/^incident inc-a \(version [0-9a-f]{12}, began \S+\) was released by restitch release-incident \(.*\) at \S+, so its forward run cannot go on: .*Nothing was run/);
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
  }, 60_000);

  it('B goes ahead once A is complete: both finish, each closed in the registry, no orphan', async () => {
    const { db, url } = await seeded();
    const a = generate('inc-a', E1);
    let platform = platformBeside(url, false, JOURNAL);
    done(await runInProcess(a, url));
    await platform.stop();
    expect(await registry(db)).toEqual([{ incident: 'inc-a', open: false, closed_how: 'forward run complete' }]);
    const b = generate('inc-b', SHARED);
    platform = platformBeside(url, false, JOURNAL);
    done(await runInProcess(b, url));
    await platform.stop();
    expect(await registry(db)).toEqual([
      { incident: 'inc-a', open: false, closed_how: 'forward run complete' },
      { incident: 'inc-b', open: false, closed_how: 'forward run complete' },
    ]);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 120_000);

  it('on the CockroachDB lane: B refused while A is open; released, B registers; A undo refused; B undo completes and closes B', async () => {
    const { db, url } = await seeded(true);
    const a = generate('inc-a', E1, 'cockroachdb');
    const b = generate('inc-b', SHARED, 'cockroachdb');
    done(await runOnLane(a, url, { to: ENTITIES_RESET }));
    await expect(runOnLane(b, url)).rejects.toThrow(/another incident is changing this database: inc-a/);
    const target = connectionTarget(url, {});
    const released = await releaseIncident({ dir: b, ...readRunbook(b) }, 'inc-a', true, { connect: () => openLaneSession(target), ui: silentUi, signal: new AbortController().signal });
    expect(released.released).toBe(true);
    done(await runOnLane(b, url, { to: ENTITIES_RESET }));
    const before = await snapshot(db, false);
    const undoA = await runOnLane(a, url, { undo: true, yes: true, confirm: [1] });
    expect(undoA.steps.find((s) => s.status === 'failed')?.details?.filter((r) => r.ok !== true).map((r) => r.check_name)).toEqual(['no other incident began changing this database since this one']);
    expect(await snapshot(db, false)).toEqual(before);
    done(await runOnLane(b, url, { undo: true, yes: true, confirm: [1] }));
    expect(await registry(db)).toEqual([
      { incident: 'inc-a', open: false, closed_how: expect.stringMatching(/^released by restitch release-incident/) },
      { incident: 'inc-b', open: false, closed_how: 'undo complete' },
    ]);
    await db.end();
  }, 120_000);

  it("legacy schema: A's undo after B un-matched its entity (A released) is refused, nothing changed", async () => {
    const name = `i${++dbCount}`;
    const db = await server.database(name, LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const url = server.url(name);
    const legacy = (incident: string, entity: string) => {
      const out = join(work, `${incident}-legacy`);
      const r = runCli(['generate', 'legacy-steps', '--dialect', 'postgres', '--incident', incident, '--entity', entity, '--out', out, '--force']);
      expect(r.code, r.stderr).toBe(0);
      return out;
    };
    const UNMATCHED = 11;
    const a = legacy('leg-a', L1);
    done(await runInProcess(a, url, { yes: true, confirm: [1], to: UNMATCHED }));
    const b = legacy('leg-b', E2);
    await expect(runInProcess(b, url, { yes: true, confirm: [1] })).rejects.toThrow(/another incident is changing this database: leg-a/);
    expect(runCli(['release-incident', b, '--incident', 'leg-a', '--db', url, '--yes']).code).toBe(0);
    done(await runInProcess(b, url, { yes: true, confirm: [1], to: UNMATCHED }));
    const before = await snapshot(db, true);
    const undo = await runInProcess(a, url, { undo: true, yes: true, confirm: [1] });
    const failed = undo.steps.find((s) => s.status === 'failed');
    expect(failed?.file).toBe('undo/03-undo-applies.sql');
    expect(failed?.details?.filter((r) => r.ok !== true).map((r) => r.check_name)).toEqual(['no other incident began changing this database since this one']);
    expect(await snapshot(db, true)).toEqual(before);
    await db.end();
  }, 60_000);

  it('release-incident refuses while a run of the incident holds its lease, and keeps it open', async () => {
    const { db, url } = await seeded();
    const a = generate('inc-a', E1);
    // Without the clean-up routine, A waits at "the entities are deleted", holding its lease.
    const running = startCli(['run', a, '--db', url, '--yes', ...confirmManual(a), '--to', '12']);
    for (let i = 0; i < 300 && !(await exists(db, 'external_data.restitch_lease')); i++) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 300 && Number((await db.query('SELECT count(*) AS n FROM external_data.restitch_lease')).rows[0].n) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const refused = runCli(['release-incident', a, '--db', url, '--yes']);
    running.kill('SIGTERM');
    await running.done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^restitch: a run of incident inc-a is running now \(inc-a on .* pid \d+ .*\): let it finish, or stop it; the incident was kept open/m);
    expect(await registry(db)).toEqual([{ incident: 'inc-a', open: true, closed_how: null }]);
    await db.end();
  }, 60_000);
});
