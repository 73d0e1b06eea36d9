/**
 * What CockroachDB versions refuse, on the lane's version profiles (test/helpers/laneProfiles.ts),
 * met by the runbooks, the runner and the bundle as `cockroach sql` runs it: crdb_internal beyond
 * the allow-lists (v26.2), sql_safe_updates on SELECT FOR UPDATE (v24.1+), schema changes that
 * commit the open transaction (v25.1+), COPY in a transaction in the shell, and the isolation a
 * role defaults to. docs/cockroachdb.md says what changed and where each fact is cited.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDialect } from '../../src/core/dialects/index.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, openLaneSession, runOnLane, translate, type LaneSession } from '../helpers/cockroachLane.js';
import { runShellScript, shellStatements } from '../helpers/cockroachShell.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR, examples } from '../helpers/examples.js';
import { LANE_PROFILES } from '../helpers/laneProfiles.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-versions-'));
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

let dbCount = 0;
async function lane(): Promise<{ db: pg.Client; url: string; name: string }> {
  const name = `v${++dbCount}`;
  const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name), name };
}

const dir = join(EXAMPLES_DIR, 'multi-entity-cockroachdb');
const v26 = { inTransaction: false, readOnly: false, profile: LANE_PROFILES['v26.2'] };
const v25 = { inTransaction: false, readOnly: false, profile: LANE_PROFILES['v25.4'] };

describe('crdb_internal: refused from v26.2 beyond the allow-lists, wherever it stands', () => {
  it('the lane refuses builtins (even in a CASE branch never taken) and tables outside the allow-list under v26.2, not under v25.4', async () => {
    const never = "SELECT CASE WHEN true THEN 'passed' ELSE crdb_internal.force_error('P0001', 'x')::text END";
    await expect(translate(never, v26)).rejects.toMatchObject({ code: '42501' });
    await expect(translate("SELECT crdb_internal.has_role_option('VIEWACTIVITY')", v26)).rejects.toMatchObject({ code: '42501' });
    await expect(translate('SELECT 1 FROM crdb_internal.kv_system_privileges', v26)).rejects.toMatchObject({ code: '42501' });
    expect(await translate("SELECT count(*) FROM crdb_internal.cluster_sessions WHERE status = 'ACTIVE'", v26)).toContain('cluster_sessions');
    expect(await translate(never, v25)).toContain('force_error');
    expect(await translate('SELECT 1 FROM crdb_internal.kv_system_privileges', v25)).toContain('kv_system_privileges');
  });

  it('no statement of any CockroachDB runbook, forward or undo, nor the runner own queries, is refused under v26.2', async () => {
    const server = getDialect('cockroachdb').server;
    const own = [server.cpsSessionsQuery, `SELECT ${server.sessionVisibility?.condition} AS visible`];
    for (const ex of examples().filter((e) => e.manifest.dialect === 'cockroachdb')) {
      const files = [...readdirSync(ex.dir).filter((f) => f.endsWith('.sql')), ...readdirSync(join(ex.dir, 'undo')).map((f) => `undo/${f}`)];
      for (const file of files) {
        for (const { sql } of await shellStatements(readFileSync(join(ex.dir, file), 'utf8'))) {
          await expect(translate(sql, v26), `${ex.name}/${file}`).resolves.toBeTypeOf('string');
        }
      }
    }
    for (const sql of own) await expect(translate(sql, v26)).resolves.toBeTypeOf('string');
  });
});

describe('the bundle as cockroach sql runs it (errexit, sql_safe_updates, no COPY in a transaction)', () => {
  it('forward, v25.4 and v26.2: runs up to its export check, loads the entities without a transaction around the COPY, at SERIALIZABLE', async () => {
    const bundle = runCli(['bundle', dir]);
    expect(bundle.code, bundle.stderr).toBe(0);
    // Batches run once in a bundle: the export check after them may ask for another round.
    const upToExportCheck = bundle.stdout.slice(0, bundle.stdout.indexOf('-- ==== 09-'));
    const isolation = "SELECT CASE WHEN current_setting('transaction_isolation') = 'serializable' THEN 'ok' ELSE CAST(current_setting('transaction_isolation') AS INT8)::text END;";
    for (const profile of [LANE_PROFILES['v25.4'], LANE_PROFILES['v26.2']]) {
      const { db, url, name } = await lane();
      await db.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'read committed'`);
      const { stop, session } = await runShellScript(url, `${upToExportCheck}\n${isolation}\n`, profile);
      expect(stop, `${profile.version}: ${JSON.stringify(stop)}`).toBeNull();
      // No BEGIN ... schema change ... COMMIT in the bundle: nothing was committed early.
      expect(session.earlyCommits).toEqual([]);
      expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_entities')).rows[0].n).toBe(2);
      await db.end();
    }
  });

  it('the shell refuses COPY inside a transaction, and the lane closes a session on CANCEL SESSION', async () => {
    const { db, url } = await lane();
    const { stop } = await runShellScript(url, 'CREATE TABLE t (a text);\nBEGIN;\nCOPY t (a) FROM STDIN;\nx\n\\.\nCOMMIT;\n');
    expect(stop?.error.message).toMatch(/COPY inside an explicit transaction/);
    const session = await openLaneSession(connectionTarget(url, {}));
    await session.useTraits(getDialect('cockroachdb').server);
    const sleeping = session.query('SELECT pg_sleep(30)').then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await session.interrupt();
    expect(await sleeping).toMatchObject({ code: '57P01' });
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await session.close();
    await db.end();
  });

  it('undo after the entities are reset, v24.3 and v26.2: the entity restore locks rows with a WHERE, which sql_safe_updates requires', async () => {
    for (const profile of [LANE_PROFILES['v24.3'], LANE_PROFILES['v26.2']]) {
      const { db, url } = await lane();
      // Up to the entities marked for deletion, before the clean-up routine deletes them.
      const forward = await runOnLane(dir, url, { to: 11 }, undefined, { profile });
      expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
      const reset = Number((await db.query('SELECT count(*) AS n FROM external_data.rs_example_multi_entities_backup')).rows[0].n);
      const undo = runCli(['bundle', dir, '--undo']);
      expect(undo.code, undo.stderr).toBe(0);
      // Up to the entity restore (the check after it holds for a clean-up period).
      const { stop } = await runShellScript(url, undo.stdout.slice(0, undo.stdout.indexOf('-- ==== undo/05-')), profile);
      expect(stop, `${profile.version}: ${JSON.stringify(stop)}`).toBeNull();
      // Every backed-up entity has its columns back (modified set again).
      const back = await db.query('SELECT count(*)::int AS n FROM customer_attributes AS a JOIN external_data.rs_example_multi_entities_backup AS b USING (customer_entity_id) WHERE a.modified IS NOT DISTINCT FROM b.modified');
      expect(back.rows[0].n).toBe(reset);
      await db.end();
    }
    const old = 'SELECT count(*) FROM (SELECT a.id FROM k JOIN a ON a.id = k.id FOR UPDATE OF a) AS present';
    await expect(translate(old, { ...v26, shell: true, profile: LANE_PROFILES['v24.3'] })).rejects.toMatchObject({ code: '01000' });
    expect(await translate(old, { ...v26, shell: true, profile: LANE_PROFILES['v23.2'] })).toContain('FOR UPDATE');
  });
});

describe('schema changes never share a transaction with data (autocommit_before_ddl, on from v25.1)', () => {
  it('a run commits no transaction early, and a failure before the stamp commits leaves no stamp (v25.4; the tables stay: IF NOT EXISTS)', async () => {
    const { db, url } = await lane();
    const sessions: LaneSession[] = [];
    let stamped = false;
    let failed = false;
    const fault = (sql: string): Error | undefined => {
      if (/INSERT INTO external_data\.rs_example_multi_backup_meta/.test(sql)) stamped = true;
      if (stamped && !failed && /restitch_lease .*FOR UPDATE/.test(sql)) {
        failed = true;
        return Object.assign(new Error('injected: the lease confirmation fails'), { code: 'XX000' });
      }
      return undefined;
    };
    const first = await runOnLane(dir, url, { to: 2, retries: 0 }, undefined, { profile: LANE_PROFILES['v25.4'], fault, sessions }).catch((e: Error) => e);
    expect(failed).toBe(true);
    expect(first instanceof Error || first.exitCode !== 0).toBe(true);
    expect(sessions.flatMap((s) => s.earlyCommits)).toEqual([]);
    expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_backup_meta')).rows[0].n).toBe(0);
    const again = await runOnLane(dir, url, { to: 2 }, undefined, { profile: LANE_PROFILES['v25.4'], sessions });
    expect(again.exitCode).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM external_data.rs_example_multi_backup_meta')).rows[0].n).toBe(1);
    expect(sessions.flatMap((s) => s.earlyCommits)).toEqual([]);
    await db.end();
  });

  it('the lane commits the open transaction before a schema change under v25.4, not under v24.3', async () => {
    const { db, url } = await lane();
    for (const [profile, kept] of [[LANE_PROFILES['v24.3'], 0], [LANE_PROFILES['v25.4'], 1]] as const) {
      const session = await openLaneSession(connectionTarget(url, {}), { profile });
      await session.query('CREATE TABLE IF NOT EXISTS marks (v text)');
      await session.query('BEGIN');
      await session.query(`INSERT INTO marks VALUES ('${profile.version}'); CREATE TABLE IF NOT EXISTS other (a int)`);
      await session.query('ROLLBACK');
      expect(session.earlyCommits).toHaveLength(kept);
      expect((await db.query('SELECT count(*)::int AS n FROM marks WHERE v = $1', [profile.version])).rows[0].n).toBe(kept);
      await session.close();
    }
    await db.end();
  });
});

describe('isolation: SERIALIZABLE whatever the role or database defaults to', () => {
  it('the runner session sets default_transaction_isolation and proves it, on a database that defaults to READ COMMITTED', async () => {
    const { db, url, name } = await lane();
    await db.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'read committed'`);
    const session = await openLaneSession(connectionTarget(url, {}));
    expect((await session.query('SHOW default_transaction_isolation')).rows[0]).toEqual({ default_transaction_isolation: 'read committed' });
    await session.useTraits(getDialect('cockroachdb').server);
    await session.query('BEGIN');
    expect((await session.query('SHOW transaction_isolation')).rows[0]).toEqual({ transaction_isolation: 'serializable' });
    await session.query('COMMIT');
    await session.close();
    await db.end();
  });
});
