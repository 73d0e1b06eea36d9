import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/core/dialects/index.js';
import { blankCopyData } from '../../src/core/entitiesFile.js';
import { loadSteps } from '../../src/core/steps.js';
import { loadPgQuery } from '../../src/core/where.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { withBatchSize } from '../../src/runner/batch/batchSize.js';
import { cpsGuardedSteps } from '../../src/runner/plan.js';
import { journalSlot } from '../../src/runner/batch/slots.js';
import { silentUi } from '../../src/runner/ui.js';
import { terminalUi } from '../../src/cli/terminalUi.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E2, seedCurrent, seedGluedEvents, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { confirmManual, COUNT_UPDATES, platformBeside, runInProcess, startCli } from '../helpers/runner.js';
import { count, doneCount, JOURNAL, multiEntityRunbook, RESET_STEP, upToReset } from '../helpers/resetRun.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-runner-'));
let dbCount = 0;

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});



async function seeded(extraEvents: number): Promise<{ db: pg.Client; url: string }> {
  const name = `r${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  if (extraEvents > 0) await seedGluedEvents(db, extraEvents);
  await db.query(COUNT_UPDATES);
  return { db, url: server.url(name) };
}

const runbook = (name: string, batchSize: number): string => multiEntityRunbook(work, name, batchSize);

async function resetState(db: pg.Client) {
  return {
    events: (await db.query('SELECT id, stitched, identifiers FROM customer_events ORDER BY id')).rows,
    updates: (await db.query('SELECT n, count(*)::int AS events FROM update_counts GROUP BY n ORDER BY n')).rows,
  };
}

describe('restitch run on a real PostgreSQL', () => {
  it('SIGKILL at 20 points of a batched reset over 120,000 events, resumed each time, ends exactly as an uninterrupted run', async () => {
    const events = 120_000;
    const dir = runbook('kill-test', 1000);
    const clean = await seeded(events);
    await upToReset(dir, clean.url);
    const uninterrupted = await startCli(['run', dir, '--db', clean.url, '--yes', ...confirmManual(dir), '--to', '14']).done;
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const expected = await resetState(clean.db);
    const total = events + 5;
    expect(expected.updates).toEqual([{ n: 1, events: total }]);

    const { db, url } = await seeded(events);
    await upToReset(dir, url);
    const killedAt: number[] = [];
    for (let k = 1; k <= 20; k++) {
      const target = Math.max(Math.floor((k * total) / 21), (killedAt.at(-1) ?? 0) + 1);
      const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14']);
      let done = 0;
      while ((done = await doneCount(db, 'kill-test')) < target) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGKILL');
      const exit = await child.done;
      expect(exit.signal, `kill ${k} came after the run ended: ${exit.stdout}`).toBe('SIGKILL');
      killedAt.push(done);
      // The killed run's lease would block the next run until its timeout (test/integration/lease.test.ts
      // waits that out); here it is taken away at once, as if the timeout had passed.
      await db.query('DELETE FROM external_data.restitch_lease');
    }
    expect(new Set(killedAt).size).toBe(20);
    expect(killedAt.at(-1)).toBeLessThan(total);
    const journalRow = (await db.query(`SELECT status, attempts FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows[0];
    expect(journalRow).toEqual({ status: 'running', attempts: 20 });

    const last = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14']).done;
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain(`resuming at step ${RESET_STEP}, which was interrupted`);
    expect(await resetState(db)).toEqual(expected);
    expect(await doneCount(db, 'kill-test')).toBe(total);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    expect(await orphanedEvents(clean.db)).toEqual([]);
    await db.end();
    await clean.db.end();
  }, 300_000);

  it.each([
    ['its connection is', ['--parallel', '1'], 1],
    ['both connections of the default two sessions are', [], 2],
  ])('retries and finishes when %s terminated mid-batch', async (_, parallel, sessions) => {
    const incident = `terminate-test-${sessions}`;
    const dir = runbook(incident, 200);
    const { db, url } = await seeded(20_000);
    await upToReset(dir, url);
    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14', ...parallel]);
    while ((await doneCount(db, incident)) < 2000) await new Promise((r) => setTimeout(r, 2));
    const terminated = await count(db, "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'restitch'");
    expect(terminated).toBe(sessions);
    const exit = await child.done;
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    // The termination surfaces as 57P01 when it lands during a statement, or as a lost
    // connection when it lands between two statements; either way the batch is retried once.
    expect(exit.stderr).toMatch(/(?:57P01|connection error|Connection terminated).*reconnecting in \d+ ms \(retry 1 of 5\)/);
    expect((await resetState(db)).updates).toEqual([{ n: 1, events: 20_005 }]);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    await db.end();
  });

  it('waits out a lock held by another session (--lock-timeout), retrying the batch until it is free', async () => {
    const dir = runbook('lock-test', 2);
    const { db, url } = await seeded(0);
    await upToReset(dir, url);
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM customer_events FOR UPDATE');
    // One session, so that a second backend waiting is the retry's (two sessions would both wait).
    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14', '--lock-timeout', '1s', '--parallel', '1']);
    // Held until the batch has waited on it, timed out and been retried on a new connection (a
    // second backend waiting), however long the run takes to get there.
    const waiting = new Set<number>();
    while (waiting.size < 2) {
      const r = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'restitch' AND wait_event_type = 'Lock'");
      for (const row of r.rows) waiting.add(row.pid);
      await new Promise((r) => setTimeout(r, 20));
    }
    await locker.query('COMMIT');
    await locker.end();
    const exit = await child.done;
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/lock timeout \(SQLSTATE 55P03\).*retry 1 of 5/);
    expect((await resetState(db)).updates).toEqual([{ n: 1, events: 5 }]);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    await db.end();
  });

  it('Ctrl-C rolls back the open batch, records where it stopped and exits 130; the next run finishes', async () => {
    const dir = runbook('sigint-test', 100);
    const { db, url } = await seeded(20_000);
    await upToReset(dir, url);
    const child = startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14']);
    while ((await doneCount(db, 'sigint-test')) < 1000) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGINT');
    const exit = await child.done;
    expect(exit.code, exit.stdout + exit.stderr).toBe(130);
    expect(exit.stdout).toMatch(/13\/16 batch\s+interrupted/);
    const row = (await db.query(`SELECT status, error FROM ${JOURNAL} WHERE step = $1`, [RESET_STEP])).rows[0];
    expect(row?.status).toBe('interrupted');
    const again = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14']).done;
    expect(again.code, again.stderr).toBe(0);
    expect((await resetState(db)).updates).toEqual([{ n: 1, events: 20_005 }]);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    await db.end();
  });

  it('refuses a database without the platform tables before creating its journal or working schema', async () => {
    const db = await server.database('noplatform', 'SELECT 1');
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const r = runCli(['run', dir, '--db', server.url('noplatform'), '--yes', ...confirmManual(dir)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/this database has no customer_attributes, customer_events: it is not the platform's database \(wrong --db\?\); nothing was created or run/);
    expect(await count(db, "SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'external_data'")).toBe(0);
    await db.end();
  });

  it('names SIGTERM as what stopped the run, and a second signal exits at once', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const waiting = async () => {
      for (;;) {
        const exists = await count(db, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'external_data' AND tablename = 'restitch_journal'");
        if (exists > 0 && (await count(db, `SELECT count(*) AS n FROM ${JOURNAL} WHERE step = 12 AND status = 'running'`)) > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect((await runInProcess(dir, url, { to: 11 })).exitCode).toBe(0);
    const child = startCli(['run', dir, '--db', url, '--only', '12', '--wait-interval', '0.2']);
    await waiting();
    child.kill('SIGTERM');
    const exit = await child.done;
    expect(exit.code, exit.stderr).toBe(130);
    expect(exit.stderr).toMatch(/restitch: SIGTERM: stopping/);
    expect(exit.stdout).toMatch(/stopped by SIGTERM;/);
    expect(exit.stdout + exit.stderr).not.toMatch(/Ctrl-C;/);
    expect((await db.query(`SELECT status, error FROM ${JOURNAL} WHERE step = 12`)).rows[0]).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/^stopped by SIGTERM/) as unknown });
    const twice = startCli(['run', dir, '--db', url, '--only', '12', '--wait-interval', '0.2']);
    await waiting();
    twice.kill('SIGTERM');
    twice.kill('SIGINT');
    const forced = await twice.done;
    expect(forced.code, forced.stderr).toBe(130);
    expect(forced.stderr).toMatch(/second (Ctrl-C|SIGTERM): exiting now/);
    await db.end();
  });

  it('refuses an edited step file, naming it, before connecting: nothing changes', async () => {
    const dir = join(work, 'edited');
    cpSync(join(EXAMPLES_DIR, 'multi-entity-postgres'), dir, { recursive: true });
    appendFileSync(join(dir, '10-reset-entities.sql'), '\n-- tweak\n');
    const { db, url } = await seeded(0);
    const before = await snapshot(db, false);
    const r = runCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: .*10-reset-entities\.sql differs from its sha256 in manifest\.json.*nothing was run/);
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'external_data'")).toBe(0);
    await db.end();
  });

  it('refuses a runbook of the other dialect: nothing changes', async () => {
    const { db, url } = await seeded(0);
    const before = await snapshot(db, false);
    const r = runCli(['run', join(EXAMPLES_DIR, 'multi-entity-cockroachdb'), '--db', url, '--yes', ...confirmManual(join(EXAMPLES_DIR, 'multi-entity-cockroachdb'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: this runbook is for CockroachDB, but the server is PostgreSQL/);
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'external_data'")).toBe(0);
    await db.end();
  });

  it("refuses while a 'Meiro CPS' session is connected: nothing changes", async () => {
    const { db, url } = await seeded(0);
    const cps = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
    await cps.connect();
    const before = await snapshot(db, false);
    const r = runCli(['run', join(EXAMPLES_DIR, 'multi-entity-postgres'), '--db', url, '--yes', ...confirmManual(join(EXAMPLES_DIR, 'multi-entity-postgres'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: 1 'Meiro CPS' session\(s\) connected before anything runs/m);
    expect(await snapshot(db, false)).toEqual(before);
    expect(await count(db, "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'external_data'")).toBe(0);
    await cps.end();
    await db.end();
  });

  it('stops at a failed check with its rows as a table, and runs nothing after it', async () => {
    const { db, url } = await seeded(0);
    await db.query('DELETE FROM customer_attributes WHERE customer_entity_id = $1', [E2]);
    const r = runCli(['run', join(EXAMPLES_DIR, 'multi-entity-postgres'), '--db', url, '--yes', ...confirmManual(join(EXAMPLES_DIR, 'multi-entity-postgres'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/5\/16 check\s+failed/);
    expect(r.stdout).toMatch(/check_name\s+\| ok\s+\| detail/);
    expect(r.stdout).toMatch(/6\/16 change not-executed/);
    expect(await count(db, 'SELECT count(*) AS n FROM external_data.rs_example_multi_events_backup')).toBe(0);
    await db.end();
  });

  it('--dry-run changes nothing and says what the changes would touch', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    expect(runCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '5']).code).toBe(0);
    const before = await snapshot(db, false);
    const journalBefore = (await db.query(`SELECT * FROM ${JOURNAL} ORDER BY step`)).rows;
    const r = runCli(['run', dir, '--db', url, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { steps: { step: number; wouldTouch?: string }[] };
    expect(report.steps[0]?.step).toBe(6);
    expect(report.steps.find((s) => s.step === 6)?.wouldTouch).toMatch(/^~\d+ rows \(planner estimate\)/);
    expect(await snapshot(db, false)).toEqual(before);
    expect((await db.query(`SELECT * FROM ${JOURNAL} ORDER BY step`)).rows).toEqual(journalBefore);
    await db.end();
  });

  it('--dry-run estimates a change step by the rows it writes (the planner estimate of the writing node input), not 0', async () => {
    const { db, url } = await seeded(0);
    const n = 3000;
    await db.query(`INSERT INTO customer_attributes (customer_entity_id, modified, identifiers) SELECT 'bulk-' || g, '2026-01-01', ARRAY['b' || g] FROM generate_series(1, ${n}) AS g`);
    await db.query('ANALYZE');
    const dir = join(work, 'estimate');
    const ids = join(work, 'estimate-ids.txt');
    writeFileSync(ids, Array.from({ length: n }, (_, i) => `bulk-${i + 1}`).join('\n'));
    const gen = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'estimate', '--entities-file', ids, '--out', dir]);
    expect(gen.code, gen.stderr).toBe(0);
    expect((await runInProcess(dir, url, { to: 3 })).exitCode).toBe(0);
    // Step 4 loads the ids (COPY of entities.txt: counted exactly), step 6 backs the entities up
    // (INSERT ... SELECT ... JOIN: the planner's estimate).
    for (const step of [4, 6]) {
      if (step === 6) expect((await runInProcess(dir, url, { from: 4, to: 5 })).exitCode).toBe(0);
      const dry = await runInProcess(dir, url, { only: step, dryRun: true });
      expect(dry.steps[0]?.wouldTouch).toMatch(step === 4 ? /^replaces the working table's rows with the 3000 lines of entities\.txt \(exact\)$/ : /^~\d+ rows \(planner estimate\)$/);
      const estimate = dry.steps[0]?.rows ?? 0;
      const changed = (await runInProcess(dir, url, { only: step })).steps[0]?.rows ?? 0;
      expect(changed).toBe(n);
      expect(estimate, `step ${step}: estimated ${estimate}, changed ${changed}`).toBeGreaterThan(changed / 3);
      expect(estimate).toBeLessThan(changed * 3);
    }
    await db.end();
  });

  it('--dry-run --sql prints every statement as it would run, as one SQL script, and writes nothing', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const r = runCli(['run', dir, '--db', url, '--dry-run', '--sql', '--batch-size', '7']);
    const steps0 = () => loadSteps(readRunbook(dir).manifest, readRunbook(dir).files, false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    // One script that parses; what is not a statement is a comment.
    const pgq = await loadPgQuery();
    // The COPY's rows follow it inline (as in a bundle); blanked, the rest parses as SQL.
    const script = blankCopyData(r.stdout);
    const bytes = Buffer.from(script, 'utf8');
    const parsed = (pgq.parseSync(script).stmts ?? []) as { stmt_location?: number; stmt_len?: number }[];
    const text = (s: { stmt_location?: number; stmt_len?: number }) => bytes.subarray(s.stmt_location ?? 0, s.stmt_len ? (s.stmt_location ?? 0) + s.stmt_len : undefined).toString('utf8');
    const bare = (sql: string) => sql.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n').trim().replace(/;$/, '').trim();
    // A batch statement is printed as the runner sends it, with its journal update and its row of
    // the run record added where `-- restitch:journal` stands (batchStep.ts); put the marker back
    // to compare it with the file.
    const journalCte = /\),\nrestitch_journal AS \(\n  UPDATE external_data\.restitch_journal [\s\S]*?\n  RETURNING 1\n\),\nrestitch_batch_row AS \(\n  INSERT INTO external_data\.restitch_batches [\s\S]*?'<run id>'[\s\S]*?\n  RETURNING 1\n\)/g;
    expect(r.stdout.match(journalCte)?.length).toBe(steps0().filter((s) => s.header.kind === 'batch' && journalSlot(s.body)).length);
    const all = parsed.map((s) => bare(text(s).replace(journalCte, ') -- restitch:journal')));
    const session = all.filter((s) => /^(SET|BEGIN|COMMIT)\b/.test(s));
    const printed = all.filter((s) => !/^(SET|BEGIN|COMMIT)\b/.test(s));
    // The runbook's statements, in order, with --batch-size applied; before each guarded step the
    // runner's CPS check, before each batch step its progress query.
    const { manifest, files } = readRunbook(dir);
    const steps = loadSteps(manifest, files, false);
    const guarded = cpsGuardedSteps(steps);
    const expected: string[] = [];
    for (const s of steps) {
      if (guarded.has(s.header.number)) expected.push(bare(DIALECTS.postgres.server.cpsSessionsQuery));
      if (s.header.kind === 'batch' && s.header.progress) expected.push(bare(s.header.progress));
      const body = s.header.kind === 'batch' ? (await withBatchSize(s.body, manifest.inputs.batchSize, 7, s.file)).replace(/\) -- restitch:journal per-batch$/m, ') -- restitch:journal') : s.body;
      const b = Buffer.from(body, 'utf8');
      for (const st of (pgq.parseSync(body).stmts ?? []) as { stmt_location?: number; stmt_len?: number }[]) {
        expected.push(bare(b.subarray(st.stmt_location ?? 0, st.stmt_len ? (st.stmt_location ?? 0) + st.stmt_len : undefined).toString('utf8')));
      }
    }
    expect(printed).toEqual(expected);
    expect(printed.join('\n')).toContain('LIMIT 7');
    // The session around them: timeouts per kind, read-only around checks, a transaction around each change and batch.
    expect(session).toContain("SET statement_timeout = '900000ms'");
    expect(session).toContain("SET default_transaction_read_only = 'on'");
    expect(session.filter((s) => s === 'BEGIN').length).toBe(steps.filter((s) => s.header.kind === 'change' || s.header.kind === 'batch').length);
    expect(r.stdout).toMatch(/^-- restitch run: dry run \(nothing changes\) against$/m);
    expect(r.stdout).toMatch(/^-- the session connects with application_name = 'restitch'/m);
    expect(r.stdout).toContain(`BEGIN;\n${steps[5]!.body.trim()}\nCOMMIT;`);
    expect(r.stdout).toMatch(/^-- step 6\/16 change +not-executed .*\n-- +would: cannot tell until the steps before it have run/m);
    expect(r.stdout).toMatch(/-- dry run: nothing was changed\n$/);
    expect(r.stdout).not.toContain(server.password);
    expect(await count(db, "SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'external_data'")).toBe(0);
    const refused = runCli(['run', dir, '--db', url, '--sql']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--sql prints what a dry run would send: use it with --dry-run/);
    await db.end();
  });

  it('says where it runs before the first step: server address and version, database, user, incident, scenario, dialect', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const port = new URL(url).port;
    const database = new URL(url).pathname.slice(1);
    for (const args of [['--yes', ...confirmManual(dir), '--to', '3'], ['--dry-run', '--only', '3']]) {
      const r = runCli(['run', dir, '--db', url, ...args]);
      expect(r.code, r.stderr).toBe(0);
      const banner = r.stderr.split('\n');
      const at = banner.findIndex((l) => l.startsWith('restitch run: '));
      expect(banner.slice(at, at + 4).join('\n')).toMatch(
        new RegExp(`^restitch run: (about to run|dry run \\(nothing changes\\)) against\n  server: +localhost:${port} \\(PostgreSQL \\d+\\.\\d+ .*\\)\n  database: ${database}, as user postgres\n  runbook: +incident example-multi, scenario multi-entity, dialect postgres$`),
      );
      expect(r.stderr.match(/^restitch run: /gm)).toHaveLength(1);
      expect(r.stderr + r.stdout).not.toContain(server.password);
    }
    await db.end();
  });

  it('shows the elapsed time and the latest answer of a wait and of a long change, a line at a time without a terminal', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const err = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((err.text += chunk.toString()), done()) }), { text: '' });
    const ui = terminalUi(false, () => 16, { out: new Writable({ write: (_c, _e, done) => done() }), err, quietEveryMs: 100 });
    // A change blocked for a while by another session's lock on the table it writes.
    expect((await runInProcess(dir, url, { to: 3 })).exitCode).toBe(0);
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE external_data.rs_example_multi_entities IN ACCESS EXCLUSIVE MODE');
    const change = runInProcess(dir, url, { only: 4, lockTimeoutMs: 0 }, ui);
    while (!/step 4: changing: .* elapsed; latest: running\n/.test(err.text)) await new Promise((r) => setTimeout(r, 20));
    await locker.query('COMMIT');
    await locker.end();
    expect((await change).exitCode).toBe(0);
    // A wait for the clean-up routine: each line has the wait query's latest answer.
    expect((await runInProcess(dir, url, { from: 5, to: 11 })).exitCode).toBe(0);
    const platform = platformBeside(url, false, JOURNAL, { cleanupDelayMs: 1500 });
    const wait = await runInProcess(dir, url, { only: 12 }, ui);
    await platform.stop();
    expect(wait.exitCode).toBe(0);
    expect(err.text).toMatch(/^step 12: waiting: [\d.]+ (s|ms) elapsed; latest: not yet: .+ \(try \d+\)$/m);
    await db.end();
  });

  it('never writes the password given in --db to output, journal or files', async () => {
    const { db, url } = await seeded(0);
    expect(url).toContain(server.password);
    const dir = join(work, 'secret');
    cpSync(join(EXAMPLES_DIR, 'multi-entity-postgres'), dir, { recursive: true });
    const outputs = [
      runCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '11']),
      runCli(['run', dir, '--db', url, '--only', '4', '--json']),
      runCli(['run', dir, '--db', url, '--only', '14', '--yes']),
      runCli(['status', dir, '--db', url]),
      runCli(['status', dir, '--db', url, '--json']),
      runCli(['run', dir, '--db', url.replace(/\/r\d+$/, '/missing_db')]),
      runCli(['run', join(EXAMPLES_DIR, 'multi-entity-cockroachdb'), '--db', url]),
    ];
    expect(outputs[0]?.code).toBe(0);
    expect(outputs[5]?.stderr).toMatch(/^restitch: cannot connect to postgres@localhost:\d+\/missing_db/);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(server.password);
    const journal = JSON.stringify((await db.query(`SELECT * FROM ${JOURNAL}`)).rows);
    expect(journal.length).toBeGreaterThan(100);
    expect(journal).not.toContain(server.password);
    for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(server.password);
    }
    await db.end();
  });

  it('asks before change and manual steps, and stops where no one confirms', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const asked: string[] = [];
    const said: string[] = [];
    const answering = (answer: (q: string, typed: string | null) => boolean | null) => ({
      ...silentUi,
      say: (t: string) => said.push(t),
      confirm: async (q: string, typed: string | null) => {
        asked.push(`${typed ?? 'y/N'}: ${q}`);
        return answer(q, typed);
      },
    });
    let report = await runInProcess(dir, url, { yes: false, confirm: [], to: 4 }, answering((q) => !q.includes('step 4')));
    expect(asked).toEqual([
      "done: Type 'done' once step 1 is done",
      'y/N: Run step 2/16 (change): Create the working schema and tables?',
      'y/N: Run step 4/16 (change): Load the chosen entity ids into the working table?',
    ]);
    expect(report.exitCode).toBe(1);
    expect(report.steps.at(-1)).toMatchObject({ step: 4, status: 'stopped', message: 'step 4 was not confirmed' });
    // Each change prompt shows the statement and the dry run's estimate of what it writes.
    const prompt = said.find((t) => t.startsWith('step 4/16 (change) will run'));
    expect(prompt).toContain(`(${join(dir, '04-load-entities.sql')}):`);
    expect(prompt).toContain('    COPY external_data.rs_example_multi_entities (customer_entity_id) FROM STDIN;');
    expect(prompt?.split('\n').at(-1)).toBe("  estimate: 2 rows of entities.txt (exact), replacing the table's rows");
    expect(await count(db, 'SELECT count(*) AS n FROM external_data.rs_example_multi_entities')).toBe(0);
    report = await runInProcess(dir, url, { yes: false, confirm: [], to: 4 }, answering(() => null));
    expect(report.steps[0]).toMatchObject({ step: 4, status: 'stopped' });
    expect(report.steps[0]?.message).toMatch(/no terminal to confirm it: run in a terminal, or pass --yes/);
    report = await runInProcess(dir, url, { yes: false, confirm: [], to: 4 }, answering(() => true));
    expect(report.exitCode).toBe(0);
    expect(await count(db, 'SELECT count(*) AS n FROM external_data.rs_example_multi_entities')).toBe(2);
    await db.end();
  });

  it('--yes does not confirm steps done by hand: --confirm names them, and the journal records how each step was confirmed', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const refused = runCli(['run', dir, '--db', url, '--yes', '--to', '4']);
    expect(refused.code).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(/step 1 is done by hand and there is no terminal to confirm it \(--yes does not confirm steps done by hand\): do it, then run again with --confirm 1/);
    expect(await count(db, `SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'external_data' AND tablename NOT IN ('restitch_journal', 'restitch_journal_history', 'restitch_lease', 'restitch_pauses', 'restitch_batches', 'restitch_run_events')`)).toBe(0);
    const r = runCli(['run', dir, '--db', url, '--yes', '--confirm', '1', '--to', '4']);
    expect(r.code, r.stderr).toBe(0);
    const how = await db.query(`SELECT step, confirmed_by FROM ${JOURNAL} ORDER BY step`);
    expect(how.rows).toEqual([
      { step: 1, confirmed_by: '--confirm' },
      { step: 2, confirmed_by: '--yes' },
      { step: 3, confirmed_by: null },
      { step: 4, confirmed_by: '--yes' },
    ]);
    const typed = await runInProcess(dir, url, { yes: false, confirm: [], only: 1 }, { ...silentUi, confirm: async () => true });
    expect(typed.exitCode).toBe(0);
    expect((await db.query(`SELECT confirmed_by FROM ${JOURNAL} WHERE step = 1`)).rows).toEqual([{ confirmed_by: 'typed' }]);
    await db.end();
  });

  it('refuses a runbook whose step was edited together with its sha256 in manifest.json, changing nothing', async () => {
    const { db, url } = await seeded(0);
    const dir = join(work, 'edited-with-sha256');
    cpSync(join(EXAMPLES_DIR, 'multi-entity-postgres'), dir, { recursive: true });
    const file = '02-create-working-tables.sql';
    const edited = `${readFileSync(join(dir, file), 'utf8')}CREATE TABLE public.planted (x int);\n`;
    writeFileSync(join(dir, file), edited);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
    manifest.files[file] = createHash('sha256').update(edited).digest('hex');
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const r = runCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/02-create-working-tables\.sql.*differ from what restitch renders for the manifest's inputs.*nothing was run/);
    expect(await count(db, "SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'external_data'")).toBe(0);
    expect(await count(db, "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'planted'")).toBe(0);
    await db.end();
  });

  it('--batch-size changes the rows per batch of the batch steps', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const platform = platformBeside(url, false, JOURNAL);
    const r = await startCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '14', '--batch-size', '1', '--wait-interval', '0.1']).done;
    await platform.stop();
    expect(r.code, r.stderr).toBe(0);
    const batches = await db.query(`SELECT step, batches::int AS b, rows_affected::int AS n FROM ${JOURNAL} WHERE kind = 'batch' ORDER BY step`);
    // On PostgreSQL the export (step 8) is one statement, no batch step: the entities' reset and the events' reset are.
    expect(batches.rows).toEqual([{ step: 10, b: 2, n: 2 }, { step: RESET_STEP, b: 5, n: 5 }]);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    await db.end();
  });

  it('refuses bad options with one line and exit 2, touching nothing', () => {
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const cases: [string[], RegExp][] = [
      [['--only', 'abc'], /--only must be a whole number of at least 1, not 'abc'/],
      [['--from', '99'], /--from 99 is not a step of this runbook \(1 to 16\)/],
      [['--statement-timeout', '5 minutes'], /--statement-timeout must look like 30s, 10m or 2h/],
      [['--db', 'mysql://x@y/z'], /--db must start with postgresql:\/\//],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['run', dir, '--db', 'postgresql://nobody@127.0.0.1:1/none', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const missing = runCli(['run', join(work, 'no-such-runbook')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-runbook is not a runbook directory/);
  });

  it('status shows what ran and where it stopped', async () => {
    const { db, url } = await seeded(0);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    expect(runCli(['run', dir, '--db', url, '--yes', ...confirmManual(dir), '--to', '10']).code).toBe(0);
    const r = runCli(['status', dir, '--db', url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { stoppedAt: number; steps: { status: string; journal: { rows_affected: number; batches: number } | null }[] };
    expect(report.stoppedAt).toBe(11);
    expect(report.steps.map((s) => s.status)).toEqual([...Array(10).fill('done'), ...Array(6).fill('pending')]);
    expect(report.steps[9]?.journal).toMatchObject({ rows_affected: 2, batches: 1 });
    // A journal from before confirmed_by existed is still read.
    await db.query(`ALTER TABLE ${JOURNAL} DROP COLUMN confirmed_by`);
    const old = runCli(['status', dir, '--db', url, '--json']);
    expect(old.code, old.stderr).toBe(0);
    expect((JSON.parse(old.stdout) as { stoppedAt: number }).stoppedAt).toBe(11);
    await db.end();
  });
});
