/**
 * Backups that cannot go stale: the "went through the reset" rows count every key without its done
 * row, and --reuse-backups is refused where another version chose other rows (the batch walks
 * resume after the highest key done, so a key added below it would never be visited).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, E4, seedCurrent, seedSplitTwin, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { JOURNAL, RESET_STEP } from '../helpers/resetRun.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('staleness');
beforeAll(() => server.start());
afterAll(() => server.stop());

const ENTITIES_RESET = 11;

function generate(name: string, incident: string, args: string[]): string {
  const out = join(work, name);
  const r = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', incident, '--batch-size', '1', '--out', out, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** The SQL of a step file after its header comments. */
const body = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n');

async function seeded(name: string): Promise<{ db: pg.Client; url: string }> {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await seedSplitTwin(db);
  return { db, url: server.url(name) };
}

/** Every row of the working tables of `incident`, by table. */
async function workingTables(db: pg.Client, incident: string): Promise<Record<string, unknown[]>> {
  const names = (await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'external_data' AND table_name LIKE $1 ORDER BY 1`, [`rs_${incident}%`])).rows;
  const out: Record<string, unknown[]> = {};
  for (const { t } of names) out[t] = (await db.query(`SELECT * FROM external_data.${t} ORDER BY 1`)).rows;
  return out;
}

describe('"went through the reset" counts every key, not what lies after the highest one done', () => {
  it('a backed-up entity below the highest key done that the walk never visited fails the row', async () => {
    const { db, url } = await seeded('per_key');
    const dir = generate('per-key', 'per-key', ['--entity', E1, '--entity', E2]);
    const platform = platformBeside(url, false, JOURNAL);
    const first = await runInProcess(dir, url, { to: ENTITIES_RESET });
    await platform.stop();
    expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
    // E1 sorts below E2: as if it had been added to the backup after the walk had passed it.
    expect(E1 < E2).toBe(true);
    await db.query(`DELETE FROM external_data.rs_per_key_entities_reset_done WHERE id = $1`, [E1]);
    const rows = (await db.query(body(dir, `${ENTITIES_RESET}-entities-reset.sql`))).rows;
    expect(rows.find((r) => r.check_name === 'every backed-up entity went through the reset')).toMatchObject({ ok: false, detail: '1 row(s) not processed yet' });
    await db.end();
  }, 60_000);
});

describe('--reuse-backups is refused when another version chose other rows', () => {
  it('E1 and E2 part-way through the event reset; regenerated with E4 (below the highest key done) and --reuse-backups: refused at the preflight, nothing changed; the first version then finishes with no orphan', async () => {
    const { db, url } = await seeded('reuse_other');
    const first = generate('first', 'reuse-other', ['--entity', E1, '--entity', E2]);
    let platform = platformBeside(url, false, JOURNAL);
    const upTo = await runInProcess(first, url, { to: RESET_STEP - 1 });
    await platform.stop();
    expect(upTo.exitCode, JSON.stringify(upTo.steps.filter((s) => s.status !== 'done'))).toBe(0);
    // Part-way through the event reset: two batches of one event, as pasted by hand.
    const batch = body(first, `${RESET_STEP}-reset-events.sql`);
    await db.query(batch);
    await db.query(batch);
    expect(Number((await db.query('SELECT count(*) AS n FROM external_data.rs_reuse_other_events_reset_done')).rows[0].n)).toBe(2);
    expect(E4 < E2).toBe(true);
    const before = { platform: await snapshot(db, false), work: await workingTables(db, 'reuse_other') };

    const second = generate('second', 'reuse-other', ['--entity', E1, '--entity', E2, '--entity', E4, '--reuse-backups']);
    const refused = await runInProcess(second, url, { to: ENTITIES_RESET });
    expect(refused.exitCode).toBe(1);
    const failed = refused.steps.find((s) => s.status === 'failed');
    expect(failed).toMatchObject({ step: 3, file: '03-preflight.sql' });
    const row = failed?.details?.find((r) => r.check_name === 'every version that used these working tables chose the same rows (--reuse-backups)');
    expect(row?.ok).toBe(false);
    expect(String(row?.detail)).toMatch(/^version [0-9a-f]{12} since .* chose other entities, another --where, event-time window or --delete-where .*Nothing was changed\. Finish or undo that run with its own runbook .*, then generate this one with another --incident$/);
    expect(JSON.stringify(failed)).not.toMatch(/generate again with --reuse-backups/);
    expect({ platform: await snapshot(db, false), work: await workingTables(db, 'reuse_other') }).toEqual(before);

    // The way the refusal names: the first version finishes, and no event is left orphaned.
    platform = platformBeside(url, false, JOURNAL);
    const finished = await runInProcess(first, url);
    await platform.stop();
    expect(finished.exitCode, JSON.stringify(finished.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(await orphanedEvents(db)).toEqual([]);
    await db.end();
  }, 120_000);
});
