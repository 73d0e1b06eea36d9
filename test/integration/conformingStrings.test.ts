import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { psqlStep } from '../helpers/psqlPaste.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('scs');
let dbCount = 0;

beforeAll(() => server.start());
afterAll(() => server.stop());

// With standard_conforming_strings off, a plain 'x\' does not end at its quote: the next id's
// text would be read as SQL and drop the table.
const CRAFTED = ['x\\', ');DROP/**/TABLE/**/customer_events;--'];

/** A seeded database whose sessions start with standard_conforming_strings = off. */
async function nonConforming(): Promise<{ db: pg.Client; name: string }> {
  const name = `scs${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await db.query(`ALTER DATABASE ${name} SET standard_conforming_strings = off`);
  await db.query(`ALTER DATABASE ${name} SET escape_string_warning = off`);
  return { db, name };
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
});
