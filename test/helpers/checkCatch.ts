/**
 * Sets up one realistic fault on a seeded sandbox and proves the check row that guards against it
 * stops the run: the runbook runs with the runner up to the step before the check (or up to
 * `faultAfter`), the fault is applied, the runner goes on up to the check and must stop there, the
 * named rows failing, with no platform row changed by that run. A wait is polled, not run: the
 * runner would retry it until its timeout, so its query is run read-only and its rows must fail.
 * A CockroachDB example with the same scenario and inputs has its own check run on the same data
 * (on PostgreSQL, as test/helpers/checkWalk.ts runs it), and the same rows must fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { forPostgresParser, getDialect } from '../../src/core/dialects/index.js';
import { tablePrefix } from '../../src/core/workTables.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { CRDB_SESSIONS, slugOf } from './checkWalk.js';
import { laneAdmin } from './cockroachLane.js';
import type { TestServer } from './database.js';
import { examples } from './examples.js';
import { platformBeside, runInProcess } from './runner.js';

type Example = ReturnType<typeof examples>[number];
type Row = { check_name?: string; ok?: unknown };

/** A working table of the example by its suffix (`entities_backup`), schema-qualified. */
export type Tables = (suffix: string) => string;

/** One fault and the check rows that must catch it. */
export interface Fault {
  /** The check or wait, by slug (`entities-reset`), in the forward or (`undo`) the undo runbook. */
  check: string;
  undo?: boolean;
  /** Undo only: the forward step (slug) the forward run stops after before the undo starts. */
  forwardTo?: string;
  /** The step (slug) after which the fault happens; default the step just before the check. */
  faultAfter?: string;
  /** Runs on the seeded database before the runbook starts. */
  seed?: (db: pg.Client, t: Tables) => Promise<unknown>;
  /**
   * The fault itself; `sql(slug)` is a forward step's SQL (a step run by hand, unknown to the
   * journal). A function it returns is called once the check has run (to end a session it opened).
   */
  fault: (db: pg.Client, t: Tables, sql: (slug: string) => string) => Promise<unknown>;
  /** The clean-up routine's delay (default the tests' short one); a long one keeps reset entities in place. */
  cleanupDelayMs?: number;
  /** A fault only a CockroachDB runbook can see (its visibility row): the PostgreSQL run is not asserted. */
  cockroachOnly?: boolean;
  /** CPS does not start when the runbook's enable step is confirmed (the component was not started). */
  cpsNeverStarts?: boolean;
  /** The rows (check_name) that must fail; others may fail too. */
  rows: string[];
}

const all = examples();
let count = 0;

const stepsOf = (ex: Example, undo: boolean) => (undo ? ex.manifest.undo : ex.manifest.steps);
const numberOf = (ex: Example, undo: boolean, slug: string): number => {
  const n = stepsOf(ex, undo).findIndex((s) => slugOf(s.file) === slug) + 1;
  if (n === 0) throw new Error(`${ex.name}: no ${undo ? 'undo ' : ''}step ${slug}`);
  return n;
};

/** The example's SQL of `file` as PostgreSQL runs it (a CockroachDB example through the lane). */
function sqlOf(ex: Example, file: string): string {
  return laneAdmin(forPostgresParser(getDialect(ex.manifest.dialect), readFileSync(join(ex.dir, file), 'utf8')));
}

async function failingRows(db: pg.Client, sql: string): Promise<string[]> {
  await db.query('BEGIN READ ONLY');
  try {
    const rows = (await db.query<Row>(sql)).rows;
    expect(rows.length).toBeGreaterThan(0);
    return rows.filter((r) => r.ok !== true).map((r) => String(r.check_name));
  } finally {
    await db.query('ROLLBACK');
  }
}

/**
 * Runs `f` on each example named (PostgreSQL, run by the runner), each on its own database, and
 * on the CockroachDB example of the same scenario and inputs when there is one.
 */
export async function expectCaught(server: TestServer, names: string[], f: Fault): Promise<void> {
  for (const name of names) await caughtIn(server, all.find((e) => e.name === name) as Example, f, [f]);
}

/**
 * Several faults at the same point of one example, on one database: each is applied, caught, and
 * taken back (each fault must return the function that takes it back) before the next.
 */
export async function expectEachCaught(server: TestServer, names: string[], at: Omit<Fault, 'fault' | 'rows'>, faults: Pick<Fault, 'fault' | 'rows'>[]): Promise<void> {
  for (const name of names) {
    await caughtIn(server, all.find((e) => e.name === name) as Example, { ...at, fault: async () => undefined, rows: [] }, faults.map((f) => ({ ...at, ...f })));
  }
}

async function caughtIn(server: TestServer, ex: Example, at: Fault, faults: Fault[]): Promise<void> {
  const undo = at.undo ?? false;
  const legacy = ex.manifest.schema === 'legacy';
  const database = `k${++count}_${process.pid}`;
  const db = await server.database(database, (legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL) + CRDB_SESSIONS);
  const url = server.url(database);
  const t: Tables = (suffix) => `${ex.manifest.inputs.workSchema}.${tablePrefix(ex.manifest.inputs.incident)}_${suffix}`;
  try {
    await (legacy ? seedLegacy(db) : seedCurrent(db));
    await at.seed?.(db, t);
    const check = numberOf(ex, undo, at.check);
    const faultAt = at.faultAfter ? numberOf(ex, undo, at.faultAfter) : check - 1;
    // The platform runs beside the steps before the fault (the clean-up routine, the stitcher once
    // CPS is enabled), as in production; it is stopped before the fault so that it cannot mend it.
    const journal = at.cpsNeverStarts ? 'no_journal_seen' : `${ex.manifest.inputs.workSchema}.restitch_journal`;
    const platform = platformBeside(url, legacy, journal, at.cleanupDelayMs === undefined ? {} : { cleanupDelayMs: at.cleanupDelayMs });
    try {
      if (undo && at.forwardTo) await advance(ex, url, { to: numberOf(ex, false, at.forwardTo) });
      if (faultAt > 0) await advance(ex, url, { undo, to: faultAt });
    } finally {
      await platform.stop();
    }
    if (undo || faultAt >= numberOf(ex, false, 'create-working-tables')) await cockroachTables(db, ex);
    for (const f of faults) {
      const takeBack = await f.fault(db, t, (slug) => sqlOf(ex, ex.manifest.steps[numberOf(ex, false, slug) - 1]?.file as string));
      if (faults.length > 1) expect(typeof takeBack, `${ex.name}: a fault among several must return how to take it back`).toBe('function');
      try {
        await stopsAt(db, url, ex, f, check, faultAt);
      } finally {
        if (typeof takeBack === 'function') await takeBack();
      }
      // Taken back, the check passes again: that fault alone made it fail.
      if (faults.length > 1) await passesAgain(db, ex, stepsOf(ex, undo)[check - 1]?.file as string);
    }
  } finally {
    await db.end();
  }
}

/** Runs the check (or polls the wait) after the fault: it must stop there with the rows failing. */
async function stopsAt(db: pg.Client, url: string, ex: Example, f: Fault, check: number, faultAt: number): Promise<void> {
  const undo = f.undo ?? false;
  const legacy = ex.manifest.schema === 'legacy';
  const step = stepsOf(ex, undo)[check - 1] as { file: string; kind: string };
  const label = `${ex.name}/${step.file}`;
  if (step.kind === 'wait' && !f.cockroachOnly) {
    expect(await failingRows(db, sqlOf(ex, step.file)), label).toEqual(expect.arrayContaining(f.rows));
  } else if (!f.cockroachOnly) {
    const before = await snapshot(db, legacy);
    const report = await runInProcess(ex.dir, url, { undo, to: check }).catch((error: Error) => {
      // An earlier check re-checked on resume (restitch:recheck-on-resume) met the fault first and
      // the run refused before any step: nothing changed, and this check's own rows, run on the
      // same data, must fail too (the run in one sitting, without a pause, meets this check).
      if (!/^resume refused before step/.test(error.message)) throw error;
      return null;
    });
    if (report === null) {
      expect(await snapshot(db, legacy), label).toEqual(before);
      expect(await failingRows(db, sqlOf(ex, step.file)), label).toEqual(expect.arrayContaining(f.rows));
      await sameInCockroach(db, ex, step.file, f.rows, f.cockroachOnly ?? false);
      return;
    }
    const failed = report.steps.find((s) => s.status !== 'done');
    expect(report.exitCode, `${label}: ${JSON.stringify(report.steps)}`).toBe(1);
    expect(failed?.step, label).toBe(check);
    const names = (failed?.details ?? []).filter((r) => r.ok !== true).map((r) => String(r.check_name));
    expect(names, label).toEqual(expect.arrayContaining(f.rows));
    // The run that met the fault changed no platform row: only the check ran, or forward steps
    // that write working tables (an undo step between the fault and its check puts rows back).
    if (!undo || faultAt === check - 1) expect(await snapshot(db, legacy), label).toEqual(before);
  }
  // A fault before create-working-tables: the CockroachDB example's own tables are made only now,
  // after the run stamped the working tables (made first, they would carry the other stamp).
  if (!undo && faultAt < numberOf(ex, false, 'create-working-tables')) await cockroachTables(db, ex);
  await sameInCockroach(db, ex, step.file, f.rows, f.cockroachOnly ?? false);
}

/** The check passes (a session ended by a fault's take-back may linger in pg_stat_activity for a moment). */
async function passesAgain(db: pg.Client, ex: Example, file: string): Promise<void> {
  let failing = await failingRows(db, sqlOf(ex, file));
  for (let tries = 0; failing.length > 0 && tries < 20; tries++) {
    await new Promise((r) => setTimeout(r, 50));
    failing = await failingRows(db, sqlOf(ex, file));
  }
  expect(failing, `${ex.name}/${file} after the fault was taken back`).toEqual([]);
}

/** Runs the runbook (or its undo) up to a step; every step up to it must pass. */
async function advance(ex: Example, url: string, options: { undo?: boolean; to: number }): Promise<void> {
  const report = await runInProcess(ex.dir, url, options);
  expect(report.exitCode, `${ex.name} up to ${options.undo ? 'undo ' : ''}step ${options.to}: ${JSON.stringify(report.steps.filter((s) => s.status !== 'done'))}`).toBe(0);
}

/** The CockroachDB example of `ex`'s scenario and inputs, if any. */
const cockroachOf = (ex: Example): Example | undefined => all.find((e) => e.name !== ex.name && e.name === ex.name.replace('-postgres', '-cockroachdb'));

/** The working tables only the CockroachDB example has, beside `ex`'s (every CREATE is IF NOT EXISTS). */
async function cockroachTables(db: pg.Client, ex: Example): Promise<void> {
  const twin = cockroachOf(ex);
  const create = twin?.manifest.steps.find((s) => slugOf(s.file) === 'create-working-tables');
  if (twin && create) await db.query(sqlOf(twin, create.file));
}

/** The CockroachDB example of the same scenario and inputs: its own check, on the same data, fails on the same rows. */
async function sameInCockroach(db: pg.Client, ex: Example, file: string, rows: string[], required: boolean): Promise<void> {
  const twin = cockroachOf(ex);
  if (required) expect(twin, `${ex.name} has a CockroachDB example`).toBeDefined();
  if (!twin || !existsSync(join(twin.dir, file))) return;
  expect(await failingRows(db, sqlOf(twin, file)), `${twin.name}/${file}`).toEqual(expect.arrayContaining(rows));
}
