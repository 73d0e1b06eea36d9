/**
 * Every check and wait step of every example can fail: each is run against the state it guards
 * against and must return at least one row with ok not true; and every row of it must be seen
 * failing in some state (see `perturbed`).
 * - a check: the state just before the change or batch step it verifies (the nearest one before
 *   it); a check that verifies input rather than a step (the scope counts, the one-shot guard)
 *   runs with the platform tables emptied (in a transaction rolled back), and every preflight
 *   also runs with a 'Meiro CPS' session connected;
 * - a wait: the state just before it runs, before the platform has acted on the previous steps.
 * CockroachDB examples are checked on PostgreSQL with the data of their PostgreSQL twin (same
 * scenario and inputs): their AS OF SYSTEM TIME is set aside and crdb_internal.cluster_sessions
 * is a view over pg_stat_activity.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSteps } from '../../src/core/steps.js';
import { simulatedPlatform, type Platform } from '../../src/sandbox/simulatedPlatform.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy } from '../../src/sandbox/seed.js';
import { CRDB_SESSIONS, slugOf, twinOf, Walk, type Example, type Step } from '../helpers/checkWalk.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

async function fresh(ex: Example): Promise<{ db: pg.Client; url: string }> {
  const legacy = ex.manifest.schema === 'legacy';
  const name = `c${++dbCount}`;
  const db = await server.database(name, (legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL) + CRDB_SESSIONS);
  await (legacy ? seedLegacy(db) : seedCurrent(db));
  return { db, url: server.url(name) };
}

/** A fresh seeded database and the simulated platform on it, as Walk takes them. */
async function freshWith(ex: Example): Promise<[pg.Client, string, Platform]> {
  const { db, url } = await fresh(ex);
  return [db, url, simulatedPlatform(db, ex.manifest.schema === 'legacy')];
}

describe.each(examples().map((e) => [e.name, e] as const))('%s: every check and wait can fail', (_name, ex) => {
  const legacy = ex.manifest.schema === 'legacy';
  const twin = twinOf(ex);
  const noReturn = loadSteps(ex.manifest, ex.files, false).findIndex((s) => s.header.pointOfNoReturn);

  it('has a PostgreSQL twin with the same steps', () => {
    expect(twin.manifest.steps.map((s) => s.file)).toEqual(ex.manifest.steps.map((s) => s.file));
    expect(twin.manifest.undo.map((s) => s.file)).toEqual(ex.manifest.undo.map((s) => s.file));
  });

  it('forward: each check fails before the step it verifies, each wait before the platform acts', async () => {
    const { db, url } = await fresh(ex);
    const w = new Walk(ex, db, url, simulatedPlatform(db, legacy));
    await w.walk(ex.manifest.steps, false);
    const checks = ex.manifest.steps.filter((s) => s.kind === 'check' || s.kind === 'wait').map((s) => s.file);
    expect([...new Set(w.seen)].sort()).toEqual(checks.sort());
    expect(w.neverFailing()).toEqual([]);
    await db.end();
  });

  it('undo: each check fails before the step it verifies; undo-applies fails past the point of no return', async () => {
    const undo = new Walk(ex, ...(await freshWith(ex)));
    if (noReturn >= 0) {
      // A complete forward run, through its point of no return and re-stitching: the state undo's
      // first check guards against.
      const past = new Walk(ex, ...(await freshWith(ex)));
      await past.walk(ex.manifest.steps, false);
      const applies = ex.manifest.undo.find((s) => slugOf(s.file) === 'undo-applies') as Step;
      await undo.expectFails(applies.file, 'past the point of no return', await past.rows(applies.file));
      await past.db.end();
    }
    // Forward up to the step before the point of no return, as the undo test does.
    const w = new Walk(ex, undo.db, undo.url, undo.platform);
    await w.walk(ex.manifest.steps, false, noReturn >= 0 ? noReturn : ex.manifest.steps.length - 1);
    await undo.walk(ex.manifest.undo, true);
    const checks = ex.manifest.undo.filter((s) => s.kind === 'check' || s.kind === 'wait').map((s) => s.file);
    expect([...new Set(undo.seen)].sort()).toEqual(checks.sort());
    expect(undo.neverFailing()).toEqual([]);
    await undo.db.end();
  });
});
