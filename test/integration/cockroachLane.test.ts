/**
 * The CockroachDB lane (test/helpers/cockroachLane.ts): every CockroachDB example run end to end
 * through the runner with the platform beside it, on the embedded PostgreSQL made to behave as
 * CockroachDB where the runner depends on it, leaving the same promised data as the PostgreSQL
 * lane; and the runner's CockroachDB paths (resume, status) on it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { readStatus } from '../../src/runner/status.js';
import { silentUi } from '../../src/runner/ui.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent, seedGluedEvents, snapshot } from '../../src/sandbox/seed.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane, translate } from '../helpers/cockroachLane.js';
import { runShellScript } from '../helpers/cockroachShell.js';
import { LANE_PROFILES } from '../helpers/laneProfiles.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR, examples } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { expectPromisedOutcome } from '../helpers/outcome.js';
import { platformBeside } from '../helpers/runner.js';
import { buildRecord } from '../../src/report/buildRecord.js';
import { timelineSvg } from '../../src/report/timelineSvg.js';
import { validateThrottleQuery } from '../../src/runner/throttle/throttleQuery.js';

const server = new TestServer();
const cockroachExamples = examples().filter((e) => e.manifest.dialect === 'cockroachdb');
let dbCount = 0;

const work = mkdtempSync(join(tmpdir(), 'restitch-lane-'));
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A seeded current-schema database behaving as CockroachDB. */
async function lane(): Promise<{ db: pg.Client; url: string }> {
  const name = `l${++dbCount}`;
  const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name) };
}

const idle = { inTransaction: false, readOnly: false };

describe('the lane refuses what CockroachDB refuses', () => {
  it('AS OF SYSTEM TIME only in the FROM clause of a top-level read-only SELECT, outside explicit transactions', async () => {
    const ok = 'SELECT count(*) FROM (SELECT 1 AS x UNION ALL SELECT 2) AS s AS OF SYSTEM TIME follower_read_timestamp()';
    expect(await translate(ok, idle)).not.toMatch(/SYSTEM TIME/);
    const old = readFileSync(join(ROOT, 'test/fixtures/lint/old-full-reset-04-scope.sql'), 'utf8');
    await expect(translate(old, idle)).rejects.toThrow(/top-level statement/);
    await expect(translate('INSERT INTO t SELECT * FROM u AS OF SYSTEM TIME follower_read_timestamp()', idle)).rejects.toThrow(/top-level/);
    await expect(translate(ok, { inTransaction: true, readOnly: false })).rejects.toThrow(/explicit read-write transaction/);
  });

  it('a historical transaction: BEGIN AS OF SYSTEM TIME follower_read_timestamp() or a constant, read-only; no bounded staleness there', async () => {
    expect(await translate('BEGIN TRANSACTION AS OF SYSTEM TIME follower_read_timestamp()', idle)).toBe('BEGIN TRANSACTION READ ONLY');
    expect(await translate("BEGIN AS OF SYSTEM TIME '-10s'", idle)).toBe('BEGIN TRANSACTION READ ONLY');
    await expect(translate("BEGIN AS OF SYSTEM TIME with_max_staleness('1ms')", idle)).rejects.toThrow(/only constant expressions or follower_read_timestamp/);
    await expect(translate('BEGIN AS OF SYSTEM TIME now()', idle)).rejects.toMatchObject({ code: '0A000' });
  });

  it('EXPLAIN of a change in a read-only session, as before v25.3; pg_* session functions; INT casts are INT8', async () => {
    await expect(translate('EXPLAIN UPDATE t SET a = 1 WHERE b = 2', { inTransaction: false, readOnly: true, profile: LANE_PROFILES['v24.3'] })).rejects.toMatchObject({ code: '25006' });
    expect(await translate('EXPLAIN UPDATE t SET a = 1 WHERE b = 2', { inTransaction: false, readOnly: true })).toContain('EXPLAIN UPDATE');
    expect(await translate('EXPLAIN UPDATE t SET a = 1 WHERE b = 2', idle)).toContain('EXPLAIN UPDATE');
    await expect(translate('SELECT pg_backend_pid()', idle)).rejects.toMatchObject({ code: '42883' });
    expect(await translate('SELECT count(*)::int AS n, CAST(1 AS INTEGER) AS m', idle)).toBe('SELECT count(*)::int8 AS n, CAST(1 AS int8) AS m');
    expect(await translate('BEGIN TRANSACTION PRIORITY HIGH', idle)).toBe('BEGIN');
    expect(await translate("CANCEL SESSION '42'", idle)).toBe('SELECT pg_terminate_backend(42::int)');
  });

  it('INTEGER columns come back as strings, as INT8 does from CockroachDB', async () => {
    const { db } = await lane();
    await db.query('CREATE TABLE n (i integer, s smallint)');
    expect((await db.query('SELECT 3::integer AS x')).rows[0]).toEqual({ x: 3 });
    await db.query('INSERT INTO n VALUES (3, 4)');
    expect((await db.query('SELECT * FROM n')).rows[0]).toEqual({ i: '3', s: '4' });
    await db.end();
  });
});

describe.each(cockroachExamples.map((e) => [e.name, e] as const))('%s on the CockroachDB lane', (_name, ex) => {
  const journal = sqlQualified(ex.manifest.inputs.workSchema, 'restitch_journal');

  it('runs end to end through the runner with the platform beside it, leaving the data the PostgreSQL lane leaves', async () => {
    const { db, url } = await lane();
    const before = await snapshot(db, false);
    const platform = platformBeside(url, false, journal);
    const report = await runOnLane(ex.dir, url);
    await platform.stop();
    expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(report.dialect).toBe('cockroachdb');
    expect(report.steps.map((s) => s.status)).toEqual(ex.manifest.steps.map(() => 'done'));
    expectPromisedOutcome(ex.manifest, before, await snapshot(db, false));
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  });
});

describe('runner on the CockroachDB lane', () => {
  const dir = join(EXAMPLES_DIR, 'multi-entity-cockroachdb');

  it('resumes at the first step not done, and status shows the done steps (journal numbers are INT8)', async () => {
    const { db, url } = await lane();
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    const first = await runOnLane(dir, url, { to: 5 });
    expect(first.exitCode, JSON.stringify(first.steps)).toBe(0);
    const said: string[] = [];
    const second = await runOnLane(dir, url, { to: 6 }, { ...silentUi, say: (t) => said.push(t) });
    await platform.stop();
    expect(said.join('\n')).toContain('resuming at step 6');
    expect(second.steps.map((s) => s.step)).toEqual([6]);
    const target = connectionTarget(url, {});
    const status = await readStatus({ dir, ...readRunbook(dir) }, false, { connect: () => openLaneSession(target) });
    expect(status.steps.filter((s) => s.status === 'done').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(status.stoppedAt).toBe(7);
    const types = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'restitch_journal' AND column_name = 'step'");
    expect(types.rows).toEqual([{ data_type: 'bigint' }]);
    await db.end();
  });

  it('a change that finds a row not as the runbook recorded it stops the step, naming it and the row, with nothing changed (v26.2)', async () => {
    const profile = LANE_PROFILES['v26.2'];
    // Forward: the recalculation of one entity came first (its calculated is no longer as backed up).
    const recalc = join(EXAMPLES_DIR, 'recalc-only-cockroachdb');
    const { db, url } = await lane();
    expect((await runOnLane(recalc, url, { to: 6 }, undefined, { profile })).exitCode).toBe(0);
    await db.query(`UPDATE customer_attributes SET calculated = now() WHERE customer_entity_id = '${E1}'`);
    const before = await snapshot(db, false);
    const forward = await runOnLane(recalc, url, {}, undefined, { profile });
    expect(forward.exitCode).toBe(1);
    expect(forward.steps.find((s) => s.step === 7)?.message).toMatch(new RegExp(`^07-recalculate\\.sql: step 7 \\(recalculate\\) refused, this statement changed nothing: entity ${E1} is no longer as backed up`));
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
    // Undo: an event the forward run reset was stitched again; the event restore refuses it.
    const oneshot = join(EXAMPLES_DIR, 'entity-oneshot-cockroachdb');
    const second = await lane();
    expect((await runOnLane(oneshot, second.url, { to: 7 }, undefined, { profile })).exitCode).toBe(0);
    await second.db.query("UPDATE customer_events SET stitched = now(), identifiers = '{a1}' WHERE id = '00000000-0000-4000-8000-000000000002'");
    expect((await runOnLane(oneshot, second.url, { undo: true, only: 4 }, undefined, { profile })).exitCode).toBe(0);
    // The walk is cut into key ranges, each batch its own transaction: the batch holding the event
    // changes nothing, and the event is not recorded as restored.
    const event = "SELECT e.stitched, e.identifiers, (SELECT count(*) FROM external_data.rs_example_oneshot_events_undo_done AS d WHERE d.id = e.id) AS done FROM customer_events AS e WHERE e.id = '00000000-0000-4000-8000-000000000002'";
    const atUndo = (await second.db.query(event)).rows;
    const undo = await runOnLane(oneshot, second.url, { undo: true, only: 6 }, undefined, { profile });
    expect(undo.exitCode).toBe(1);
    expect(undo.steps.find((s) => s.step === 6)?.message).toMatch(/^undo\/06-restore-events\.sql: undo step 6 \(restore-events\) refused, this statement changed nothing: event 00000000-0000-4000-8000-000000000002 /);
    expect((await second.db.query(event)).rows).toEqual(atUndo);
    await second.db.end();
  });

  it('a throttle query holds the batches, and the run record reads back into the report (its numbers INT8)', async () => {
    const { db, url } = await lane();
    await db.query('CREATE TABLE queue (id int); INSERT INTO queue VALUES (1)');
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    const query = await validateThrottleQuery('SELECT count(*) FROM queue');
    // Step 8, the export, is the first batch step of the CockroachDB runbook.
    const held = await runOnLane(dir, url, { to: 9, throttleQuery: query, throttleMax: 0, maxPauseMs: 300, throttleIntervalMs: 50 });
    expect(held.exitCode, JSON.stringify(held.steps)).toBe(1);
    expect(held.steps.find((s) => s.step === 8)?.message).toMatch(/step 8 was paused \d+ ms \(throttle 1 > 0\), longer than --max-pause 300 ms/);
    await db.query('DELETE FROM queue');
    const went = await runOnLane(dir, url, { to: 9, throttleQuery: query, throttleMax: 0, throttleIntervalMs: 50 });
    await platform.stop();
    expect(went.exitCode, JSON.stringify(went.steps)).toBe(0);
    const session = await openLaneSession(connectionTarget(url, {}));
    const { manifest, files } = readRunbook(dir);
    const record = await buildRecord(session, manifest, files).finally(() => session.close());
    expect(record.attempts.map((a) => [a.step, a.attempt, a.status])).toEqual([...Array.from({ length: 7 }, (_, i) => [i + 1, 1, 'done']), [8, 1, 'failed'], [8, 2, 'done'], [9, 1, 'done']]);
    expect(record.pauses.map((p) => [p.step, p.reason])).toEqual([[8, 'throttle 1 > 0']]);
    expect(record.batches.length).toBeGreaterThan(0);
    expect(record.batches.every((b) => b.step === 8 && typeof b.rows === 'number')).toBe(true);
    expect(timelineSvg(record).match(/<circle class="point"/g)?.length).toBe(record.batches.length);
    await db.end();
  });

  it('CPS guard: a closed Meiro CPS session does not block; a connected one does, in the preflight and in the runner', async () => {
    const { db, url } = await lane();
    await db.query("INSERT INTO crdb_internal.closed_sessions (session_id, user_name, application_name) VALUES ('17', 'cps', 'Meiro CPS')");
    const closedOnly = await runOnLane(dir, url, { to: 3 });
    expect(closedOnly.exitCode, JSON.stringify(closedOnly.steps)).toBe(0);
    const cps = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
    await cps.connect();
    const preflight = await runOnLane(dir, url, { only: 3 });
    expect(preflight.steps[0]?.message).toMatch(/not ok: no Meiro CPS session is connected/);
    await expect(runOnLane(dir, url, { from: 4, to: 4 })).rejects.toThrow(/1 'Meiro CPS' session\(s\) connected before anything runs/);
    await cps.end();
    await db.end();
  });

  it('the bundle stops at its first failing check with an error naming the step; nothing after it runs', async () => {
    const { db, url } = await lane();
    const cps = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
    await cps.connect();
    const bundle = runCli(['bundle', dir]);
    expect(bundle.code, bundle.stderr).toBe(0);
    expect(bundle.stdout.split('\n')).toContain('\\set errexit');
    const { stop } = await runShellScript(url, bundle.stdout);
    await cps.end();
    // A cast of the message to INT8: no crdb_internal builtin, which v26.2 refuses even in a CASE branch never taken.
    expect(stop?.error.message).toMatch(/"restitch: step 3 \(Preflight: CPS is stopped and every table is in place\) did not pass \(\d+ row\(s\), not all ok\); run that step alone to see its rows"/);
    expect(stop?.error.code).toBe('22P02');
    expect(stop?.statement).toContain("CAST('restitch: step 3 (");
    // Step 4 (load the entities) did not run.
    expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_entities')).rows[0].n).toBe(0);
    await db.end();
  });

  it('the lane refuses a crdb_internal.force_error call CockroachDB would not take (v25.4, where crdb_internal is still allowed)', async () => {
    const v25 = { ...idle, profile: LANE_PROFILES['v25.4'] };
    await expect(translate("SELECT crdb_internal.force_error('not a code', 'x')", v25)).rejects.toThrow(/unknown signature/);
    await expect(translate("SELECT crdb_internal.force_error('x')", v25)).rejects.toThrow(/unknown signature/);
    await expect(translate("SELECT crdb_internal.force_error('P0001', 'x')", v25)).resolves.toContain('force_error');
  });

  it('dry run of a change step gives the planner estimate: EXPLAIN runs outside the read-only guard', async () => {
    const { db, url } = await lane();
    expect((await runOnLane(dir, url, { to: 5 })).exitCode).toBe(0);
    // v24.3: EXPLAIN of a change is still refused in a read-only session there.
    const dry = await runOnLane(dir, url, { only: 6, dryRun: true }, undefined, { profile: LANE_PROFILES['v24.3'] });
    // Step 6 backs up the two chosen entities (INSERT ... SELECT): the estimate is what the insert reads, not its own 0.
    expect(dry.steps[0], JSON.stringify(dry.steps)).toMatchObject({ step: 6, kind: 'change', status: 'skipped', wouldTouch: expect.stringMatching(/^~\d+ rows \(planner estimate\)$/) });
    expect(dry.steps[0]?.rows).toBeGreaterThan(0);
    expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_entities_backup')).rows).toEqual([{ n: 0 }]);
    await db.end();
  });

  it('dry run --sql binds the keyset floor as the first batch would: the file literal before any batch, the highest done key after', async () => {
    const { db, url } = await lane();
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    expect((await runOnLane(dir, url, { to: 12 })).exitCode).toBe(0);
    await platform.stop();
    const shown = async () => (await runOnLane(dir, url, { only: 13, dryRun: true, sql: true })).steps[0]?.sql ?? '';
    const before = await shown();
    const literal = /src\.id > ('[^']*')/.exec(readFileSync(join(dir, '13-reset-events.sql'), 'utf8'))?.[1];
    expect(before).toContain(`src.id > ${literal}`);
    expect(before).toContain(`the first batch's: none yet (nothing is done), so it keeps the file's ${literal}`);
    // The floor is read before each batch's transaction, as batchStep.ts does.
    expect(before).toMatch(/^-- before each batch the floor is read.*\nSELECT done\.id AS floor .*;\nBEGIN;\n/m);
    expect(before).toMatch(/^restitch_journal AS \($/m);
    expect((await runOnLane(dir, url, { only: 13 })).exitCode).toBe(0);
    const after = await shown();
    // The first batch of a run walks the first key range: its floor is the highest key done up to that range's end.
    const upTo = /src\.id <= '([0-9a-f-]+)'::uuid -- restitch:range-end/.exec(after)?.[1];
    expect(upTo).toBeDefined();
    expect(after).toMatch(/its walk is cut into \d+ key ranges/);
    const highest = String((await db.query('SELECT id::text AS m FROM external_data.rs_example_multi_events_reset_done WHERE id <= $1 ORDER BY id DESC LIMIT 1', [upTo])).rows[0]?.m);
    expect(after).toContain(`src.id > '${highest}'`);
    expect(after).toContain(`read now, bound below: ${highest}`);
    await db.end();
  });

  it('retries are counted per batch: four faults at four batches of one step, with --retries 2, and the step finishes', async () => {
    const out = join(work, 'per-batch');
    const gen = runCli(['generate', 'multi-entity', '--dialect', 'cockroachdb', '--incident', 'per-batch', '--entity', E1, '--entity', E2, '--batch-size', '100', '--out', out]);
    expect(gen.code, gen.stderr).toBe(0);
    const { db, url } = await lane();
    await seedGluedEvents(db, 20_000);
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    expect((await runOnLane(out, url, { to: 12 })).exitCode).toBe(0);
    await platform.stop();
    const said: string[] = [];
    const run = runOnLane(out, url, { only: 13, retries: 2 }, { ...silentUi, say: (t) => said.push(t) });
    const done = async () => Number((await db.query('SELECT count(*) AS n FROM external_data.rs_per_batch_events_reset_done')).rows[0]?.n);
    let finished = false;
    void run.finally(() => (finished = true));
    let faults = 0;
    for (const at of [2000, 6000, 10_000, 14_000]) {
      while (!finished && (await done()) < at) await new Promise((r) => setTimeout(r, 2));
      if (finished) break;
      const r = await db.query("SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'restitch'");
      faults += Number(r.rows[0]?.n);
    }
    const report = await run;
    expect(faults).toBe(4);
    expect(report.steps[0], JSON.stringify(report.steps)).toMatchObject({ step: 13, status: 'done' });
    // Terminated mid-statement: 57P01; terminated while idle: the next statement finds the connection closed.
    expect(said.filter((t) => /retry 1 of 2/.test(t))).toHaveLength(4);
    expect(await done()).toBe(20_005);
    await db.end();
  });

  it('a check blocked by a lock past lock_timeout (55P03, which CockroachDB raises for reads too) is retried and then passes', async () => {
    const { db, url } = await lane();
    expect((await runOnLane(dir, url, { to: 5 })).exitCode).toBe(0);
    // PostgreSQL reads do not wait for row locks, CockroachDB reads wait for a writer's intents:
    // a table lock stands in for them here.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE customer_attributes IN ACCESS EXCLUSIVE MODE');
    const said: string[] = [];
    const run = runOnLane(dir, url, { only: 5, lockTimeoutMs: 200, backoffMs: 300 }, { ...silentUi, say: (t) => said.push(t) });
    let finished = false;
    void run.finally(() => (finished = true));
    while (!finished && !said.some((t) => /55P03/.test(t))) await new Promise((r) => setTimeout(r, 10));
    await locker.query('COMMIT');
    await locker.end();
    const report = await run;
    expect(report.steps[0], JSON.stringify(report.steps)).toMatchObject({ step: 5, kind: 'check', status: 'done' });
    await db.end();
  });
});
