import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent } from '../../src/sandbox/seed.js';
import type { RunReport } from '../../src/runner/types.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { runInProcess } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-stamp-'));
let dbCount = 0;

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const T = 'external_data.rs_stamp_test';
const EXPORT = 7;

/** A multi-entity runbook of the incident `stamp-test`, under a directory of its own. */
function generate(name: string, args: string[]): string {
  const out = join(work, name);
  const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'stamp-test', '--out', out, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function fresh(): Promise<{ db: pg.Client; url: string }> {
  const name = `b${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name) };
}

const rows = async (db: pg.Client, sql: string) => (await db.query(sql)).rows;
const backups = async (db: pg.Client) => ({
  entities: await rows(db, `SELECT * FROM ${T}_entities_backup ORDER BY 1`),
  events: await rows(db, `SELECT * FROM ${T}_events_backup ORDER BY 1`),
});
const failedRows = (report: RunReport) =>
  (report.steps.find((s) => s.status === 'failed')?.details ?? []).filter((r) => r.ok !== true).map((r) => r.check_name);

describe('backups are stamped with the runbook version that took them', () => {
  it('a regenerated runbook with the same incident refuses the backups of the other version at its preflight, unless told to reuse them', async () => {
    const { db, url } = await fresh();
    const a = generate('a', ['--entity', E1]);
    expect((await runInProcess(a, url, { to: EXPORT })).exitCode).toBe(0);
    const taken = await backups(db);
    expect(taken.entities).toHaveLength(1);

    // Regenerated with another entity: another version, the same working tables.
    const b = generate('b', ['--entity', E1, '--entity', E2]);
    const refused = await runInProcess(b, url, { to: EXPORT });
    expect(refused.exitCode).toBe(1);
    expect(refused.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 3, file: '03-preflight.sql' });
    expect(failedRows(refused)).toEqual([
      'no other version of this runbook has used its working tables',
      'the working tables are stamped with this version of the runbook',
    ]);
    expect(await backups(db)).toEqual(taken);
    const stamps = await rows(db, `SELECT fingerprint, incident, taken_at FROM ${T}_backup_meta`);
    expect(stamps).toHaveLength(1);
    expect(stamps[0]).toMatchObject({ incident: 'stamp-test', taken_at: expect.any(Date) });

    // The same runbook run again (a resume, every step repeated) goes on as before.
    expect((await runInProcess(a, url, { from: 2, to: EXPORT })).exitCode).toBe(0);
    expect(await backups(db)).toEqual(taken);

    // Its refusal does not advise --reuse-backups: it chose other entities, whose backups cannot be reused.
    const advice = refused.steps.find((s) => s.status === 'failed')?.details?.find((r) => r.check_name === 'no other version of this runbook has used its working tables');
    expect(String(advice?.detail)).toMatch(/\(other entities or another filter, whose backups cannot be reused: .*\): finish or undo that run with its own runbook, or choose another --incident$/);
    expect(String(advice?.detail)).not.toContain('--reuse-backups');

    // Told to reuse them, a version with other entities is refused too, and changes nothing.
    const c = generate('c', ['--entity', E1, '--entity', E2, '--reuse-backups']);
    const otherScope = await runInProcess(c, url, { to: EXPORT });
    expect(otherScope.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 3 });
    expect(failedRows(otherScope)).toEqual([
      'every version that used these working tables chose the same rows (--reuse-backups)',
      'the working tables are stamped with this version of the runbook',
    ]);
    expect(await backups(db)).toEqual(taken);
    expect(await rows(db, `SELECT count(*)::int AS n FROM ${T}_backup_meta`)).toEqual([{ n: 1 }]);

    // A version that chooses the same rows is advised to reuse them, and goes on with the backups that are there.
    const same = generate('same', ['--entity', E1, '--reuse-backups']);
    const reused = await runInProcess(same, url, { to: EXPORT });
    expect(reused.exitCode, JSON.stringify(reused.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(await backups(db)).toEqual(taken);
    expect(await rows(db, `SELECT count(*)::int AS n FROM ${T}_backup_meta`)).toEqual([{ n: 2 }]);
    // From then on the first version's run is the other one, of the same rows: it may reuse them.
    const again = await runInProcess(a, url, { from: 2, to: EXPORT });
    expect(failedRows(again)).toEqual(['no other version of this runbook has used its working tables']);
    const sameRows = again.steps.find((s) => s.status === 'failed')?.details?.find((r) => r.ok === false);
    expect(String(sameRows?.detail)).toMatch(/\(the same entities and filter\): finish or undo that run, choose another --incident, or generate again with --reuse-backups to go on with its backups$/);
    await db.end();
  });

  it('refuses working tables that hold rows no version stamped (an older restitch, or by hand)', async () => {
    const { db, url } = await fresh();
    const a = generate('d', ['--entity', E1]);
    expect((await runInProcess(a, url, { to: EXPORT })).exitCode).toBe(0);
    await db.query(`DELETE FROM ${T}_backup_meta`);
    const again = await runInProcess(a, url, { from: 2, to: EXPORT });
    expect(again.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 3 });
    expect(failedRows(again)).toEqual(['the working tables are stamped with this version of the runbook']);
    const reuse = generate('e', ['--entity', E1, '--reuse-backups']);
    expect((await runInProcess(reuse, url, { to: EXPORT })).exitCode).toBe(0);
    await db.end();
  });

  it('--reuse-backups with nothing to reuse refuses at the preflight', async () => {
    const { url, db } = await fresh();
    const f = generate('f', ['--entity', E1, '--reuse-backups']);
    const r = await runInProcess(f, url, { to: EXPORT });
    expect(failedRows(r)).toEqual(['there are working tables of an earlier run to reuse (--reuse-backups)']);
    await db.end();
  });
});
