import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { psqlStep } from '../helpers/psqlPaste.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgres } from '../../src/core/dialects/postgres.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { runInProcess as runThrough } from '../../src/runner/runInProcess.js';
import { PgSession, type QueryResult } from '../../src/runner/connection/session.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('scs');
let dbCount = 0;

// The server itself runs with standard_conforming_strings = off (postgresql.auto.conf), so
// every session starts with it off unless it sets it.
beforeAll(async () => {
  await server.start();
  const admin = await server.database('postgres', 'ALTER SYSTEM SET standard_conforming_strings = off');
  await admin.query('ALTER SYSTEM SET escape_string_warning = off');
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  // The reload reaches new sessions once the postmaster has read it.
  for (let i = 0; i < 50 && sessionDefault('postgres') !== 'off'; i++) await new Promise((r) => setTimeout(r, 100));
});
afterAll(() => server.stop());

/** SHOW standard_conforming_strings in a new session of `name`, as every client gets it. */
function sessionDefault(name: string): string {
  const r = spawnSync('psql', ['-X', '-At', '-c', 'SHOW standard_conforming_strings'], { env: server.env(name), encoding: 'utf8' });
  return r.stdout.trim();
}

// With standard_conforming_strings off, a plain 'x\' does not end at its quote: the next id's
// text would be read as SQL and drop the table.
const CRAFTED = ['x\\', ');DROP/**/TABLE/**/customer_events;--'];

/** A seeded database whose sessions start with standard_conforming_strings = off. */
async function nonConforming(): Promise<{ db: pg.Client; name: string }> {
  const name = `scs${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  expect(sessionDefault(name)).toBe('off');
  return { db, name };
}

/** A session behind a pooler that does not keep SET standard_conforming_strings (transaction pooling). */
class ForgetfulPooler extends PgSession {
  override query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (/^SET standard_conforming_strings\b/i.test(sql)) return Promise.resolve({ rows: [], rowCount: 0 });
    return super.query<R>(sql, params);
  }
}

function generate(incident: string): string {
  const out = join(work, incident);
  const ids = [E1, ...CRAFTED].flatMap((id) => ['--entity', id]);
  const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', incident, ...ids, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function expectIntact(db: pg.Client, incident: string): Promise<void> {
  expect((await db.query("SELECT to_regclass('public.customer_events') IS NOT NULL AS ok")).rows[0].ok).toBe(true);
  const loaded = await db.query(`SELECT customer_entity_id AS id FROM external_data.rs_${incident}_entities ORDER BY 1`);
  expect(loaded.rows.map((r) => r.id).sort()).toEqual([E1, ...CRAFTED].sort());
}

describe('standard_conforming_strings = off on a real PostgreSQL', () => {
  it('entity ids with a backslash stay values through psql', async () => {
    const { db, name } = await nonConforming();
    expect((await db.query('SELECT 1')).rows).toHaveLength(1);
    const dir = generate('scspsql');
    for (const file of ['02-create-working-tables.sql', '04-load-entities.sql']) {
      const r = psqlStep(dir, file, server.env(name));
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
    }
    await expectIntact(db, 'scspsql');
    await db.end();
  });

  it('entity ids with a backslash stay values through restitch run', async () => {
    const { db, name } = await nonConforming();
    const dir = generate('scsrun');
    const url = server.url(name);
    const platform = platformBeside(url, false, 'external_data.restitch_journal');
    const report = await runInProcess(dir, url, { to: 4, yes: true });
    await platform.stop();
    expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
    await expectIntact(db, 'scsrun');
    await db.end();
  });

  it('a --where whose meaning depends on the setting is refused before anything is written', () => {
    const out = join(work, 'scswhere');
    const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'scswhere', '--entity', E1,
      '--where', "'a\\' = ') IS NULL; DROP TABLE customer_events; --'", '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must not contain a backslash/);
  });

  it("the runner's session sets it on and proves it after connect and after each reconnect", async () => {
    const { db, name } = await nonConforming();
    const session = new PgSession(connectionTarget(server.url(name), {}));
    await session.connect();
    await session.useTraits(postgres.server);
    const shown = async () => (await session.query<{ standard_conforming_strings: string }>('SHOW standard_conforming_strings')).rows[0]?.standard_conforming_strings;
    expect(await shown()).toBe('on');
    const pid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await session.reconnect();
    expect((await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid).not.toBe(pid);
    expect(await shown()).toBe('on');
    await session.close();
    await db.end();
  });

  it('a session that cannot keep it on is refused with one line before anything runs', async () => {
    const { db, name } = await nonConforming();
    const dir = generate('scspooler');
    const run = runThrough(dir, server.url(name), { yes: true }, undefined, async (target) => {
      const session = new ForgetfulPooler(target);
      await session.connect();
      return session;
    });
    await expect(run).rejects.toThrow(/^the session's standard_conforming_strings is 'off' right after SET standard_conforming_strings = on .*nothing more was run/);
    await expect(run).rejects.not.toThrow(/\n/);
    expect((await db.query("SELECT to_regclass('external_data.restitch_journal') AS t")).rows[0].t).toBeNull();
    await db.end();
  });
});
