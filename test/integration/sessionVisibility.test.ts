/**
 * The CPS guard must see other users' sessions ('Meiro CPS' connects as another user). On
 * CockroachDB a user without VIEWACTIVITY, VIEWACTIVITYREDACTED or admin sees only its own
 * sessions: the preflight's visibility row and the runner refuse, naming the grant (on the lane,
 * whose cluster_sessions hides other users' sessions from such a user). On PostgreSQL every user
 * sees every session's application_name: a user without pg_read_all_stats is refused by the CPS
 * guard itself.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { runInProcess } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const VISIBLE = "this user sees every user's sessions";
const NO_CPS = 'no Meiro CPS session is connected';
const PREFLIGHT = 3;

/** A seeded database, a login role `runner` without superuser (owning nothing of the platform), and URLs for both. */
async function withRunner(name: string, compat: string): Promise<{ db: pg.Client; url: string; runnerUrl: string }> {
  const db = await server.database(name, compat + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await db.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'runner') THEN CREATE ROLE runner LOGIN PASSWORD 'runner-Pw1'; END IF; END $$`);
  await db.query(`GRANT CONNECT, CREATE ON DATABASE ${name} TO runner`);
  await db.query('GRANT USAGE, CREATE ON SCHEMA public TO runner');
  await db.query('GRANT SELECT, UPDATE, INSERT, DELETE ON ALL TABLES IN SCHEMA public TO runner');
  const url = server.url(name);
  const u = new URL(url);
  u.username = 'runner';
  u.password = 'runner-Pw1';
  return { db, url, runnerUrl: u.toString() };
}

/** A 'Meiro CPS' session, connected as the database's owner (another user than `runner`). */
async function cps(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'Meiro CPS' });
  await client.connect();
  return client;
}

describe('the CPS guard on the CockroachDB lane: it must see other users sessions', () => {
  const dir = join(EXAMPLES_DIR, 'multi-entity-cockroachdb');

  it('without VIEWACTIVITY the preflight fails naming the grant (its CPS row alone would pass) and the runner refuses; with it, directly, through a role or as admin, both see CPS', async () => {
    const { db, url, runnerUrl } = await withRunner('vis_lane', COCKROACH_COMPAT_SQL);
    // Step 2 changes data after CPS was disabled: the runner's guard refuses before it.
    await expect(runOnLane(dir, runnerUrl, { to: 2 })).rejects.toThrow(/^user runner sees only its own sessions/);
    await db.query("INSERT INTO crdb_internal.kv_system_privileges (username, path, privileges) VALUES ('runner', '/global/', '{VIEWACTIVITY}')");
    expect((await runOnLane(dir, runnerUrl, { to: 2 })).exitCode).toBe(0);
    await db.query('DELETE FROM crdb_internal.kv_system_privileges');
    const session = await cps(url);
    onTestFinished(() => session.end().catch(() => {}));
    const preflight = async () => (await runOnLane(dir, runnerUrl, { only: PREFLIGHT })).steps[0];
    const rows = async () => {
      const step = await preflight();
      expect(step?.details, JSON.stringify(step)).toBeDefined();
      return Object.fromEntries((step?.details ?? []).map((r) => [r.check_name, r]));
    };

    // No grant: CPS is hidden from this user, so the CPS row passes; the visibility row does not.
    let got = await rows();
    expect(got[NO_CPS]).toMatchObject({ ok: true });
    expect(got[VISIBLE]).toMatchObject({ ok: false, detail: 'runner sees only its own sessions; ask for: GRANT SYSTEM VIEWACTIVITY TO runner;' });
    await expect(runOnLane(dir, runnerUrl, { from: 4, to: 4 })).rejects.toThrow(
      /^user runner sees only its own sessions, so the check for a 'Meiro CPS' session \(another user's\) proves nothing before anything runs; nothing was changed\. Ask for: GRANT SYSTEM VIEWACTIVITY TO runner;/,
    );

    // VIEWACTIVITY granted to a role the user is a member of.
    await db.query('CREATE ROLE activity_viewers');
    await db.query("INSERT INTO crdb_internal.kv_system_privileges (username, path, privileges) VALUES ('activity_viewers', '/global/', '{VIEWACTIVITY}')");
    await db.query('GRANT activity_viewers TO runner');
    got = await rows();
    expect(got[VISIBLE]).toMatchObject({ ok: true });
    expect(got[NO_CPS]).toMatchObject({ ok: false, detail: '1 Meiro CPS session(s) in SHOW CLUSTER SESSIONS' });
    await expect(runOnLane(dir, runnerUrl, { from: 4, to: 4 })).rejects.toThrow(/1 'Meiro CPS' session\(s\) connected before anything runs/);

    // The legacy role option alone: the session sees CPS, but nothing outside crdb_internal tells
    // (SHOW ROLES needs SELECT on system.users): refused, naming the grant, never a blind pass.
    await db.query('REVOKE activity_viewers FROM runner');
    await db.query("INSERT INTO crdb_internal.compat_role_options VALUES ('runner', 'VIEWACTIVITYREDACTED')");
    got = await rows();
    expect(got[VISIBLE]).toMatchObject({ ok: false });
    expect(got[NO_CPS]).toMatchObject({ ok: false });
    await db.query('DELETE FROM crdb_internal.compat_role_options');

    // Admin: a member of the role admin.
    await db.query("INSERT INTO crdb_internal.compat_admins VALUES ('runner')");
    got = await rows();
    expect(got[VISIBLE]).toMatchObject({ ok: true });
    expect(got[NO_CPS]).toMatchObject({ ok: false });

    // CPS stopped: the preflight passes.
    await session.end().catch(() => {});
    expect(await preflight()).toMatchObject({ step: PREFLIGHT, status: 'done' });
    await db.end();
  });
});

describe('the CPS guard on PostgreSQL: every user sees application_name of every session', () => {
  const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');

  it('a user without superuser or pg_read_all_stats sees the Meiro CPS session of another user: the preflight fails on it and the runner refuses', async () => {
    const { db, url, runnerUrl } = await withRunner('vis_pg', '');
    const roles = await db.query("SELECT rolsuper, pg_has_role('runner', 'pg_read_all_stats', 'MEMBER') AS stats FROM pg_roles WHERE rolname = 'runner'");
    expect(roles.rows).toEqual([{ rolsuper: false, stats: false }]);
    expect((await runInProcess(dir, runnerUrl, { to: 2 })).exitCode).toBe(0);
    const session = await cps(url);
    onTestFinished(() => session.end().catch(() => {}));
    const preflight = (await runInProcess(dir, runnerUrl, { only: PREFLIGHT })).steps[0];
    expect(preflight?.details?.filter((r) => r.ok !== true).map((r) => r.check_name)).toEqual([NO_CPS]);
    await expect(runInProcess(dir, runnerUrl, { from: 4, to: 4 })).rejects.toThrow(/1 'Meiro CPS' session\(s\) connected before anything runs/);
    await session.end().catch(() => {});
    await db.end();
  });
});
