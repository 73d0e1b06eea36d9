/**
 * The acceptance run (src/acceptance): `run --dry-run` and a real run before its first step
 * prove on the target, read-only, what the run will meet. On PostgreSQL and on the CockroachDB
 * lane: a healthy database passes; a connected 'Meiro CPS' session fails it; a missing GIN index
 * on customer_events.identifiers of a large table fails it naming the export step; a missing
 * grant fails it naming the grant.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { AcceptanceItem } from '../../src/acceptance/report.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import type { RunOptions, RunReport } from '../../src/runner/types.js';
import { applyScanGuard, scanGuardSettings } from '../../src/acceptance/scanGuard.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { loadSteps } from '../../src/core/steps.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { runInProcess } from '../helpers/runner.js';
import { runCli } from '../helpers/cli.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

/** Unrelated events, enough for the planner to prefer a whole-table read when no index helps. */
const BULK = `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers)
  SELECT gen_random_uuid(), '2026-01-01', '{}', NULL, ARRAY['bulk-' || g] FROM generate_series(1, 20000) AS g;
ANALYZE customer_events;`;

const MAX_SCAN_ROWS = 5000;
/** The multi-entity export's step number in both dialects' examples. */
const EXPORT = 8;

type Runner = (dir: string, url: string, options?: Partial<RunOptions>) => Promise<RunReport>;

const LANES: { name: string; compat: string; dir: string; run: Runner }[] = [
  { name: 'PostgreSQL', compat: '', dir: join(EXAMPLES_DIR, 'multi-entity-postgres'), run: runInProcess },
  { name: 'the CockroachDB lane', compat: COCKROACH_COMPAT_SQL, dir: join(EXAMPLES_DIR, 'multi-entity-cockroachdb'), run: runOnLane },
];

const failures = (r: RunReport): AcceptanceItem[] => (r.acceptance?.items ?? []).filter((i) => i.verdict === 'fail');

for (const lane of LANES) {
  describe(`acceptance on ${lane.name}`, () => {
    let n = 0;
    async function database(extra = ''): Promise<{ db: pg.Client; url: string }> {
      const name = `acc_${lane.compat ? 'crdb' : 'pg'}_${(n += 1)}`;
      const db = await server.database(name, lane.compat + CURRENT_SCHEMA_DDL);
      await seedCurrent(db);
      if (extra) await db.query(extra);
      return { db, url: server.url(name) };
    }

    it('a healthy database passes: every fact proven, the steps that need earlier steps said so, exit 0', async () => {
      const { url } = await database(BULK);
      const report = await lane.run(lane.dir, url, { dryRun: true, maxScanRows: MAX_SCAN_ROWS });
      expect(failures(report)).toEqual([]);
      expect(report.acceptance?.ok).toBe(true);
      expect(report.exitCode).toBe(0);
      const items = report.acceptance?.items ?? [];
      // The preflight's CPS row is evaluated before the working tables exist; its other rows wait for step 2.
      expect(items).toContainEqual(expect.objectContaining({ area: 'check', step: 3, subject: 'no Meiro CPS session is connected', verdict: 'info' }));
      expect(items).toContainEqual(expect.objectContaining({ area: 'check', step: 3, subject: 'the working tables are stamped with this version of the runbook', verdict: 'later' }));
      expect(items).toContainEqual(expect.objectContaining({ area: 'privilege', subject: 'UPDATE on table customer_events', verdict: 'info' }));
    });

    it("a connected 'Meiro CPS' session fails it: the runner's guard and the preflight's row, exit 1", async () => {
      const { url } = await database();
      const cps = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
      await cps.connect();
      onTestFinished(() => cps.end().catch(() => {}));
      const report = await lane.run(lane.dir, url, { dryRun: true });
      expect(report.exitCode).toBe(1);
      expect(report.acceptance?.ok).toBe(false);
      expect(failures(report)).toEqual(expect.arrayContaining([
        expect.objectContaining({ area: 'sessions', subject: "no 'Meiro CPS' session is connected", detail: expect.stringMatching(/^1 connected/) }),
        expect.objectContaining({ area: 'check', step: 3, subject: 'no Meiro CPS session is connected', detail: expect.stringMatching(/^would fail: 1 Meiro CPS session/) }),
      ]));
      // A runbook none of whose steps needs CPS stopped (the recalculation) is not failed by it.
      const recalc = await lane.run(join(EXAMPLES_DIR, `recalc-only-${lane.compat ? 'cockroachdb' : 'postgres'}`), url, { dryRun: true });
      expect(failures(recalc)).toEqual([]);
      expect(recalc.acceptance?.items).toContainEqual(expect.objectContaining({ area: 'sessions', verdict: 'info', detail: expect.stringMatching(/^1 connected: .*\(no step of this run needs CPS stopped\)$/) }));
    });

    it('a missing identifiers index on a large table names the export step, its table and its plan line; a real run refuses it before it runs', async () => {
      const { db, url } = await database(BULK);
      // The steps before the export, for real: the export's statements can be explained only once its working tables hold their rows.
      expect((await lane.run(lane.dir, url, { to: EXPORT - 1 })).exitCode).toBe(0);
      if (!lane.compat) expect(failures(await lane.run(lane.dir, url, { dryRun: true, maxScanRows: MAX_SCAN_ROWS }))).toEqual([]);
      await db.query('DROP INDEX customer_events_identifiers; ANALYZE customer_events');
      const report = await lane.run(lane.dir, url, { dryRun: true, maxScanRows: MAX_SCAN_ROWS });
      expect(report.exitCode).toBe(1);
      const refused = failures(report).filter((i) => i.step === EXPORT);
      expect(refused.length, JSON.stringify(report.acceptance?.items.filter((i) => i.step === EXPORT))).toBeGreaterThan(0);
      expect(refused[0]).toMatchObject({ area: 'plan', file: '08-export-events.sql', table: 'customer_events', planLine: lane.compat ? '• scan table: customer_events@customer_events_pkey spans: FULL SCAN' : expect.stringMatching(/^Seq Scan on customer_events/) });
      expect(refused[0]?.detail).toMatch(/reads the whole of customer_events, of ~2\d,\d{3} rows \(planner estimate\), above --max-scan-rows 5000/);
      // The real run resumes at the export (no acceptance before a resumed run): the step's own plans refuse it, nothing of it runs.
      const run = await lane.run(lane.dir, url, { maxScanRows: MAX_SCAN_ROWS });
      expect(run.exitCode).toBe(1);
      expect(run.steps[0]).toMatchObject({ step: EXPORT, status: 'failed', message: expect.stringMatching(/^refused before it ran, nothing of it was changed: FAIL step 8 \(08-export-events\.sql\): plan: .*customer_events/) });
      expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_events_backup')).rows[0].n).toBe(0);
    });

    it("the full reset's whole-table reads are declared by its scenario and labelled, not refused", async () => {
      const { url } = await database(`${BULK}
INSERT INTO customer_attributes SELECT 'bulk-' || g, '2026-01-01', '2026-01-01', ARRAY['bulk-' || g] FROM generate_series(1, 20000) AS g;
ANALYZE customer_attributes;`);
      const dir = join(EXAMPLES_DIR, `full-reset-${lane.compat ? 'cockroachdb' : 'postgres'}`);
      const report = await lane.run(dir, url, { dryRun: true, maxScanRows: MAX_SCAN_ROWS });
      expect(failures(report)).toEqual([]);
      const scope = (report.acceptance?.items ?? []).filter((i) => i.area === 'plan' && i.step === 4 && i.table !== undefined);
      expect(scope.map((i) => i.table).sort()).toEqual(['customer_attributes', 'customer_events']);
      for (const i of scope) expect(i).toMatchObject({ verdict: 'info', detail: expect.stringMatching(/^reads the whole of customer_\w+, of ~20,\d{3} rows \(planner estimate\), as declared: it counts every entity and every event the reset changes; plan: /) });
      expect((await lane.run(dir, url, { maxScanRows: MAX_SCAN_ROWS, to: 9 })).exitCode).toBe(0);
    });

    it('a missing grant is named, with the GRANT to ask for; a real run from step 1 refuses before anything', async () => {
      const { db, url } = await database();
      await db.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'runner') THEN CREATE ROLE runner LOGIN PASSWORD 'runner-Pw1'; END IF; END $$`);
      const name = new URL(url).pathname.slice(1);
      await db.query(`GRANT CONNECT, CREATE ON DATABASE ${name} TO runner; GRANT USAGE ON SCHEMA public TO runner`);
      // Everything but UPDATE on customer_attributes (the entity reset's).
      await db.query('GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA public TO runner; GRANT UPDATE ON customer_events TO runner');
      if (lane.compat) await db.query("INSERT INTO crdb_internal.kv_system_privileges (username, path, privileges) VALUES ('runner', '/global/', '{VIEWACTIVITY}')");
      const u = new URL(url);
      u.username = 'runner';
      u.password = 'runner-Pw1';
      const report = await lane.run(lane.dir, u.toString(), { dryRun: true });
      expect(report.exitCode).toBe(1);
      expect(failures(report)).toEqual([
        expect.objectContaining({ area: 'privilege', subject: 'UPDATE on table customer_attributes', detail: 'missing: step 10 needs it. Ask for: GRANT UPDATE ON customer_attributes TO runner;' }),
      ]);
      await expect(lane.run(lane.dir, u.toString(), {})).rejects.toThrow(/^the acceptance run on the target failed, so nothing was run: FAIL privilege: UPDATE on table customer_attributes: missing: step 10 needs it/);
      expect((await db.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'external_data'")).rows[0].n).toBe(0);
    });
  });
}

describe('disallow_full_table_scans on the CockroachDB lane', () => {
  it('the runner turns it on for a bounded step, so the cluster refuses a whole read of a large table at run time, and off for a declared or read-only step', async () => {
    const db = await server.database('acc_guard', COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
    await db.query(BULK);
    const dir = join(EXAMPLES_DIR, 'full-reset-cockroachdb');
    const { manifest, files } = readRunbook(dir);
    const steps = loadSteps(manifest, files, false);
    const bySlug = (slug: string) => steps.find((s) => s.slug === slug)!;
    const declared = { 'backup-events': 'reads every event' };
    const session = await openLaneSession(connectionTarget(server.url('acc_guard'), {}));
    onTestFinished(() => session.close());
    const whole = 'SELECT count(*) AS n FROM customer_events WHERE payload IS NOT NULL';
    // A bounded step (not declared): on, with the limit.
    const bounded = scanGuardSettings('cockroachdb', bySlug('reset-events'), declared, MAX_SCAN_ROWS);
    expect(bounded).toEqual({ disallow_full_table_scans: 'on', large_full_scan_rows: '5000' });
    await applyScanGuard(session, bounded);
    expect((await session.query('SHOW disallow_full_table_scans')).rows).toEqual([{ disallow_full_table_scans: 'on' }]);
    await expect(session.query(whole)).rejects.toMatchObject({ code: '54000', message: expect.stringMatching(/contains a full table\/index scan which is explicitly disallowed$/) });
    // A lookup by key stays allowed.
    expect((await session.query("SELECT count(*)::int AS n FROM customer_events WHERE id = '00000000-0000-0000-0000-000000000001'")).rows).toEqual([{ n: '0' }]);
    // A declared step, and a check: off again.
    for (const slug of ['backup-events', 'scope']) {
      await applyScanGuard(session, scanGuardSettings('cockroachdb', bySlug(slug), declared, MAX_SCAN_ROWS));
      expect((await session.query<{ n: string }>(whole)).rows[0]?.n).toBe('20000');
    }
    expect(scanGuardSettings('postgres', bySlug('reset-events'), declared, MAX_SCAN_ROWS)).toBeNull();
    await db.end();
  });
});

describe('restitch run --dry-run on the command line', () => {
  it("prints the acceptance run, failures first, exits 1 when it fails; --json carries it whole; --max-scan-rows is a whole number", async () => {
    const db = await server.database('acc_cli', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('acc_cli');
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const cps = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
    await cps.connect();
    onTestFinished(() => cps.end().catch(() => {}));
    const text = runCli(['run', dir, '--db', url, '--dry-run']);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stderr).toMatch(/^acceptance on PostgreSQL [^\n]*: FAILED: 2 of \d+ facts would stop or endanger the run; nothing was changed\n  FAIL sessions: no 'Meiro CPS' session is connected: 1 connected/m);
    expect(text.stderr).toMatch(/^  FAIL step 3 \(03-preflight\.sql\): check: no Meiro CPS session is connected: would fail: 1 Meiro CPS session\(s\) in pg_stat_activity$/m);
    expect(text.stdout).toMatch(/dry run: nothing was changed; the acceptance run failed/);
    const json = runCli(['run', dir, '--db', url, '--dry-run', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as RunReport;
    expect(report.exitCode).toBe(1);
    expect(report.acceptance).toMatchObject({ ok: false, dialect: 'postgres', maxScanRows: 100_000 });
    expect(report.acceptance?.items.filter((i) => i.verdict === 'fail').map((i) => i.area)).toEqual(['sessions', 'check']);
    await cps.end();
    const passed = runCli(['run', dir, '--db', url, '--dry-run', '--json', '--max-scan-rows', '250000']);
    expect(passed.code, passed.stderr).toBe(0);
    expect((JSON.parse(passed.stdout) as RunReport).acceptance).toMatchObject({ ok: true, maxScanRows: 250_000 });
    const bad = runCli(['run', dir, '--db', url, '--dry-run', '--max-scan-rows', 'lots']);
    expect(bad).toMatchObject({ code: 2, stderr: "restitch: --max-scan-rows must be a whole number of at least 1, not 'lots'\n" });
    await db.end();
  });
});
