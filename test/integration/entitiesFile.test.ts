/**
 * entities.txt: the one place a runbook holds its entity ids. manifest.json covers it with its
 * sha256, the load step COPYs it (the runner streams it; psql and cockroach sql read it after the
 * statement), the entities-loaded check compares the working table with it by count and digest,
 * and a hand edit of it makes `run` and `check` refuse.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/manifest.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent } from '../../src/sandbox/seed.js';
import { COCKROACH_COMPAT_SQL, runOnLane } from '../helpers/cockroachLane.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { psqlStep } from '../helpers/psqlPaste.js';
import { runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('ids');
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

// Ids COPY's text format and the digest's byte order must carry exactly: a backslash, a quote, a
// leading #, a character above U+FFFF next to one from U+E000 (UTF-16 and byte order differ).
const CRAFTED = ['back\\slash-id', "o'brien-id", '#hash-id', 'zz\u{1F600}-id', 'zz\uFF21-id', 'Upper-ID'];
const IDS = [E1, E2, ...CRAFTED];

function generate(dialect: string, incident: string): string {
  const out = join(work, incident);
  const r = runCli(['generate', 'multi-entity', '--dialect', dialect, '--incident', incident, ...IDS.flatMap((id) => ['--entity', id]), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function seeded(lane: boolean) {
  const name = `ids${++dbCount}`;
  const db = await server.database(name, (lane ? COCKROACH_COMPAT_SQL : '') + CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  for (const id of CRAFTED) await db.query('INSERT INTO customer_attributes (customer_entity_id, identifiers) VALUES ($1, $2)', [id, [`${id}-x`]]);
  return { db, name, url: server.url(name) };
}

const loaded = async (db: { query: (s: string) => Promise<{ rows: { id: string }[] }> }, incident: string) =>
  (await db.query(`SELECT customer_entity_id AS id FROM external_data.rs_${incident.replace(/-/g, '_')}_entities`)).rows.map((r) => r.id).sort();

describe('entities.txt', () => {
  it('holds the ids once; manifest.json covers it and keeps only its name and count', () => {
    const dir = generate('postgres', 'ids-once');
    const r = runCli(['check', dir]);
    expect(r.code, r.stdout).toBe(0);
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as { inputs: Record<string, unknown>; files: Record<string, string> };
    expect(manifest.inputs.entitiesFile).toBe('entities.txt');
    expect(manifest.inputs.entityCount).toBe(IDS.length);
    expect(manifest.inputs.entities).toBeUndefined();
    const text = readFileSync(join(dir, 'entities.txt'), 'utf8');
    expect(manifest.files['entities.txt']).toBe(sha256(text));
    expect(text.split('\n')).toContain('back\\\\slash-id');
    for (const file of Object.keys(manifest.files).filter((f) => f !== 'entities.txt').concat('manifest.json')) {
      const content = readFileSync(join(dir, file), 'utf8');
      for (const id of IDS) expect(content.includes(id), `${file} holds ${id}`).toBe(false);
    }
  });

  it('edited by hand, makes run and check refuse, also with its sha256 in manifest.json edited to match', async () => {
    const dir = generate('postgres', 'ids-edit');
    const { url } = await seeded(false);
    const path = join(dir, 'entities.txt');
    const edited = readFileSync(path, 'utf8').replace(E2, E2.replace(/^9/, '8'));
    writeFileSync(path, edited);
    const run = runCli(['run', dir, '--db', url, '--yes', '--confirm', '1', '--to', '5']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/entities\.txt differs from its sha256 in manifest\.json/);
    expect(runCli(['check', dir]).code).toBe(1);
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
    manifest.files['entities.txt'] = sha256(edited);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const again = runCli(['run', dir, '--db', url, '--yes', '--confirm', '1', '--to', '5']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/05-entities-loaded\.sql.* differ from what restitch renders/);
    const check = runCli(['check', dir]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^DRIFT .*05-entities-loaded\.sql/m);
  });

  for (const dialect of ['postgres', 'cockroachdb'] as const) {
    it(`is loaded exactly by the load step, run twice, and the check passes (${dialect}${dialect === 'cockroachdb' ? ' lane' : ''})`, async () => {
      const incident = `ids-load-${dialect === 'postgres' ? 'pg' : 'crdb'}`;
      const dir = generate(dialect, incident);
      const { db, url } = await seeded(dialect === 'cockroachdb');
      const run = dialect === 'postgres' ? runInProcess : runOnLane;
      const first = await run(dir, url, { to: 5, yes: true, confirm: [1] });
      expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
      expect(first.steps.find((s) => s.step === 4)?.rows).toBe(IDS.length);
      expect(await loaded(db, incident)).toEqual([...IDS].sort());
      const second = await run(dir, url, { from: 4, to: 5, yes: true });
      expect(second.exitCode, JSON.stringify(second.steps)).toBe(0);
      expect(await loaded(db, incident)).toEqual([...IDS].sort());
      await db.end();
    });
  }

  it('is loaded by psql from the step file, entities.txt and a line \\. as the step says; the check fails on a wrong id', async () => {
    const dir = generate('postgres', 'ids-psql');
    const { db, name } = await seeded(false);
    for (const file of ['02-create-working-tables.sql', '04-load-entities.sql', '04-load-entities.sql', '05-entities-loaded.sql']) {
      const r = psqlStep(dir, file, server.env(name));
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
    }
    expect(await loaded(db, 'ids-psql')).toEqual([...IDS].sort());
    await db.query(`UPDATE external_data.rs_ids_psql_entities SET customer_entity_id = 'zz\u{1F600}-iD' WHERE customer_entity_id = 'zz\u{1F600}-id'`);
    const check = (await db.query(readFileSync(join(dir, '05-entities-loaded.sql'), 'utf8'))) as unknown as { rows: { check_name: string; ok: boolean }[] };
    expect(check.rows.filter((r) => !r.ok).map((r) => r.check_name)).toContain(`the working table holds exactly the ${IDS.length} ids of entities.txt`);
    await db.end();
  });
});
