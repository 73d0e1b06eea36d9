/**
 * Compare before you change: each change statement of the current schema compares the live row
 * with what the runbook recorded and stops, naming the step and the row, with nothing changed,
 * when something else wrote it meanwhile. The statements are run as pasted by hand (the step's
 * file through pg, no runner around it), and once through the runner.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { confirmManual, platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const MULTI = join(EXAMPLES_DIR, 'multi-entity-postgres');
const ONESHOT = join(EXAMPLES_DIR, 'entity-oneshot-postgres');
const RECALC = join(EXAMPLES_DIR, 'recalc-only-postgres');
const EV2 = '00000000-0000-4000-8000-000000000002';

async function fresh(): Promise<{ db: pg.Client; url: string }> {
  const name = `cmp${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name) };
}

/** The step's file as a person pastes it into psql: the whole file, one statement. */
async function paste(db: pg.Client, dir: string, file: string): Promise<unknown> {
  return db.query(readFileSync(join(dir, file), 'utf8')).then(
    () => null,
    (error: unknown) => error,
  );
}

async function count(db: pg.Client, table: string): Promise<number> {
  return Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

async function forward(dir: string, url: string, to: number): Promise<void> {
  const report = await runInProcess(dir, url, { to });
  expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
}

describe('a change compares the live row with what the runbook recorded', () => {
  it('reset-entities: a recalculation sets modified of an entity after the export check; the pasted batch fails naming the entity, nothing changed', async () => {
    const { db, url } = await fresh();
    await forward(MULTI, url, 9);
    await db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E1}'`);
    const before = await snapshot(db, false);
    const error = await paste(db, MULTI, '10-reset-entities.sql');
    expect(error).toMatchObject({ code: '22P02' });
    expect(String((error as Error).message)).toMatch(
      new RegExp(`"restitch: step 10 \\(reset-entities\\) refused, this statement changed nothing: entity ${E1} is no longer as backed up .*undo this runbook`),
    );
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, 'external_data.rs_example_multi_entities_reset_done')).toBe(0);
    await db.end();
  }, 60_000);

  it('reset-entities: a batch retried after it ran (every entity already reset) passes again', async () => {
    const { db, url } = await fresh();
    await forward(MULTI, url, 10);
    await db.query('DELETE FROM external_data.rs_example_multi_entities_reset_done');
    expect(await paste(db, MULTI, '10-reset-entities.sql')).toBeNull();
    expect(await count(db, 'external_data.rs_example_multi_entities_reset_done')).toBe(2);
    await db.end();
  }, 60_000);

  it('reset-events: CPS stitches an event again before its reset; the pasted batch fails naming the event, nothing changed', async () => {
    const { db, url } = await fresh();
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    try {
      await forward(MULTI, url, 12);
    } finally {
      await platform.stop();
    }
    await db.query(`UPDATE customer_events SET stitched = now() WHERE id = '${EV2}'`);
    const before = await snapshot(db, false);
    const error = await paste(db, MULTI, '13-reset-events.sql');
    expect(error).toMatchObject({ code: '22P02' });
    expect(String((error as Error).message)).toMatch(
      new RegExp(`"restitch: step 13 \\(reset-events\\) refused, this statement changed nothing: event ${EV2} is no longer as backed up \\(stitched or identifiers changed since`),
    );
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, 'external_data.rs_example_multi_events_reset_done')).toBe(0);
    await db.end();
  }, 60_000);

  it('undo: an event the forward run reset is stitched again by something else; the pasted restore fails naming it, nothing changed', async () => {
    const { db, url } = await fresh();
    await forward(ONESHOT, url, 7);
    await db.query(`UPDATE customer_events SET stitched = now(), identifiers = '{a1}' WHERE id = '${EV2}'`);
    // The entity first, as undo does (it is still as the forward run left it).
    expect(await paste(db, join(ONESHOT, 'undo'), '04-restore-entities.sql')).toBeNull();
    const before = await snapshot(db, false);
    const error = await paste(db, join(ONESHOT, 'undo'), '06-restore-events.sql');
    expect(String((error as Error).message)).toMatch(
      new RegExp(`"restitch: undo step 6 \\(restore-events\\) refused, this statement changed nothing: event ${EV2} is neither as the forward run left it nor as backed up.*the way back is forward`),
    );
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, 'external_data.rs_example_oneshot_events_undo_done')).toBe(0);
    await db.end();
  }, 60_000);

  it('undo: an entity the forward run reset is stitched again; the pasted entity restore fails naming it, nothing changed', async () => {
    const { db, url } = await fresh();
    await forward(ONESHOT, url, 7);
    await db.query(`UPDATE customer_attributes SET modified = now() WHERE customer_entity_id = '${E1}'`);
    const before = await snapshot(db, false);
    const error = await paste(db, join(ONESHOT, 'undo'), '04-restore-entities.sql');
    expect(String((error as Error).message)).toMatch(new RegExp(`"restitch: undo step 4 \\(restore-entities\\) refused, this statement changed nothing: entity ${E1} `));
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
  }, 60_000);

  it('entity-oneshot: the entity changed after its backup; the one statement fails naming it, nothing changed', async () => {
    const { db, url } = await fresh();
    await forward(ONESHOT, url, 6);
    await db.query(`UPDATE customer_events SET stitched = now() WHERE id = '${EV2}'`);
    const before = await snapshot(db, false);
    const error = await paste(db, ONESHOT, '07-reset-entity-and-events.sql');
    expect(String((error as Error).message)).toMatch(new RegExp(`"restitch: step 7 \\(reset-entity-and-events\\) refused, this statement changed nothing: event ${EV2} `));
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
  }, 60_000);

  it('the runner shows the refusal as one line, exits 1, and neither marks the step done nor records the batch', async () => {
    const { db, url } = await fresh();
    await forward(RECALC, url, 6);
    // The platform recalculated the entity after its backup.
    await db.query(`UPDATE customer_attributes SET calculated = now() WHERE customer_entity_id = '${E1}'`);
    const before = await snapshot(db, false);
    const run = runCli(['run', RECALC, '--db', url, '--yes', ...confirmManual(RECALC)]);
    expect(run.code, run.stderr).toBe(1);
    const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('refused, this statement changed nothing'));
    expect(lines, `${run.stdout}\n${run.stderr}`).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`07-recalculate\\.sql: step 7 \\(recalculate\\) refused, this statement changed nothing: entity ${E1} is no longer as backed up \\(calculated changed since`));
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/invalid input syntax|SQLSTATE 22P02/);
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, 'external_data.rs_example_recalc_entities_reset_done')).toBe(0);
    const journal = await db.query("SELECT status FROM external_data.restitch_journal WHERE step = 7");
    expect(journal.rows.map((r) => r.status)).not.toContain('done');
    await db.end();
  }, 60_000);
});
