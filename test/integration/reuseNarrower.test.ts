import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E2, ev, L1, seedLegacy } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());


/** A legacy-steps runbook of incident `reuse` (same working tables for every version). */
function generate(name: string, args: string[]): string {
  const out = join(tempDir('reuse'), name);
  const r = runCli(['generate', 'legacy-steps', '--dialect', 'postgres', '--incident', 'reuse', '--out', out, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

const present = async (db: { query: (sql: string, v: unknown[]) => Promise<{ rows: unknown[] }> }, id: string) =>
  (await db.query('SELECT 1 FROM cdp_ce.customer_events WHERE id = $1', [id])).rows.length === 1;

describe('--reuse-backups with another version of a legacy runbook', () => {
  it('a narrower --delete-where deletes nothing of the older, wider backup: its check stops and names an event', async () => {
    const db = await server.database('narrower', LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const url = server.url('narrower');
    // Version 1 backs up both "None" events of L1 and stops before Step 0 deletes them.
    const wide = generate('wide', ['--entity', L1, '--delete-where', "customer_events.payload->>'ps_identifier' = 'None'"]);
    const first = await runInProcess(wide, url, { yes: true, confirm: [1], to: 7 });
    expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
    // Version 2 means to delete only event 1, and reuses the backups.
    const narrow = generate('narrow', ['--entity', L1, '--delete-where', `customer_events.id = '${ev(1)}'`, '--reuse-backups']);
    const second = await runInProcess(narrow, url, { yes: true, confirm: [1] });
    expect(second.exitCode).toBe(1);
    const failed = second.steps.find((s) => s.status === 'failed');
    expect(failed?.file).toBe('07-events-to-delete-backed-up.sql');
    expect(JSON.stringify(failed)).toContain(`1 backed-up events the condition no longer chooses (e.g. ${ev(2)})`);
    expect(await present(db, ev(1))).toBe(true);
    expect(await present(db, ev(2))).toBe(true);
    await db.end();
  });

  it('a backup of matching rows taken for another set of entities is refused before anything is un-stitched', async () => {
    const db = await server.database('otherset', LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const url = server.url('otherset');
    // Version 1 chose L1 and E2 and backed up their matching rows.
    const both = generate('both', ['--entity', L1, '--entity', E2]);
    const first = await runInProcess(both, url, { yes: true, confirm: [1], to: 9 });
    expect(first.exitCode, JSON.stringify(first.steps.filter((s) => s.status !== 'done'))).toBe(0);
    // Version 2 chooses L1 only and reuses that backup: undo would put E2's rows back.
    const one = generate('one', ['--entity', L1, '--reuse-backups']);
    const second = await runInProcess(one, url, { yes: true, confirm: [1] });
    expect(second.exitCode).toBe(1);
    const failed = second.steps.find((s) => s.status === 'failed');
    expect(failed?.file).toBe('09-matching-backed-up.sql');
    expect(JSON.stringify(failed)).toContain(`backed-up rows of other entities (e.g. ${E2})`);
    expect(Number((await db.query('SELECT count(*) AS n FROM cdp_ps.matching')).rows[0].n)).toBe(6);
    await db.end();
  });
});
