/**
 * --where is checked against the database before anything changes: the runner EXPLAINs the
 * runbook's conditions before step 1, so a wrong one leaves nothing behind and the corrected,
 * regenerated runbook (same incident) runs.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, seedCurrent, seedLegacy } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
const work = tempDir('where-schema');
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

function generate(name: string, scenario: string, args: string[]): string {
  const out = join(work, name);
  const r = runCli(['generate', scenario, '--dialect', 'postgres', '--incident', 'where-fix', '--out', out, '--force', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

const schemaExists = async (db: pg.Client) => ((await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'external_data'`)).rowCount ?? 0) > 0;

/** One restitch: line on stderr, exit 1. */
function refusedOnce(r: { code: number; stderr: string }, message: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('restitch:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.code).toBe(1);
}

describe('the runner checks the runbook conditions before step 1', () => {
  it.each([
    ["payload->>'k' = 'None' AND no_such_column = 1", /--where of this runbook does not fit customer_events: column "no_such_column" does not exist \(SQLSTATE 42703\); nothing was created or run\. Generate the runbook again with a corrected --where/],
    // A column of customer_attributes, which the statements of the runbook could have reached as an outer column.
    ['modified IS NULL', /column "modified" does not exist/],
    ['payload = 3', /operator does not exist: jsonb = integer \(SQLSTATE 42883\)/],
  ])('refuses %s with nothing created, and the corrected runbook of the same incident then runs', async (where, message) => {
    const name = `w${++dbCount}`;
    const db = await server.database(name, CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url(name);
    const wrong = generate(`wrong${dbCount}`, 'multi-entity', ['--entity', E1, '--entity', E2, '--where', where]);
    refusedOnce(runCli(['run', wrong, '--db', url, '--yes', ...confirmManual(wrong)]), message);
    refusedOnce(runCli(['run', wrong, '--db', url, '--dry-run']), message);
    expect(await schemaExists(db)).toBe(false);
    const fixed = generate(`fixed${dbCount}`, 'multi-entity', ['--entity', E1, '--entity', E2, '--where', "payload->>'ps_identifier' = 'None'"]);
    const r = runCli(['run', fixed, '--db', url, '--yes', ...confirmManual(fixed), '--to', '9']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await db.end();
  });

  it('checks --delete-where on the legacy schema too', async () => {
    const db = await server.database('wlegacy', LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const wrong = generate('legacy-wrong', 'legacy-steps', ['--entity', 'eeeeeeee-0000-4000-8000-000000000001', '--delete-where', 'no_such_column = 1']);
    refusedOnce(runCli(['run', wrong, '--db', server.url('wlegacy'), '--dry-run']), /--delete-where of this runbook does not fit public\.customer_events: column "no_such_column" does not exist/);
    expect(await schemaExists(db)).toBe(false);
    await db.end();
  });

  it('after a step before the point of no return failed, the advice is right: a corrected --where reuses no backup, it goes by undo and another --incident', async () => {
    const db = await server.database('wruntime', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const url = server.url('wruntime');
    // Plans (EXPLAIN has no rows to cast), fails when it runs: 'None' is no integer.
    const wrong = generate('runtime-wrong', 'multi-entity', ['--entity', E1, '--entity', E2, '--where', "(payload->>'ps_identifier')::int > 0"]);
    const failed = runCli(['run', wrong, '--db', url, '--yes', ...confirmManual(wrong)]);
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/invalid input syntax for type integer/);
    expect(failed.stdout).toMatch(
      /stopped; fix the cause, then run this to resume at step 6:\n  restitch run .*\nif the runbook itself must change \(a condition, an option\), nothing irreversible has run \(the point of no return is step 12\): if it chooses the same entities with the same --where and event-time window, generate it again with the same --incident and --reuse-backups .*; if it chooses other entities or another filter, the backups taken so far cannot be reused .*: undo this run \(the same command with --undo\), then generate the corrected runbook with another --incident/,
    );
    // Regenerated with another --where, the preflight refuses the working tables the first version stamped, with --reuse-backups too.
    const plain = generate('runtime-plain', 'multi-entity', ['--entity', E1, '--entity', E2, '--where', "payload->>'ps_identifier' = 'None'"]);
    expect(runCli(['run', plain, '--db', url, '--yes', ...confirmManual(plain), '--to', '9']).code).toBe(1);
    const reuse = generate('runtime-reuse', 'multi-entity', ['--entity', E1, '--entity', E2, '--where', "payload->>'ps_identifier' = 'None'", '--reuse-backups']);
    const refused = runCli(['run', reuse, '--db', url, '--yes', ...confirmManual(reuse), '--to', '9']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('every version that used these working tables chose the same rows (--reuse-backups)');
    // As advised: undo the first run, then the corrected runbook under another --incident.
    const undone = runCli(['run', wrong, '--undo', '--db', url, '--yes', ...confirmManual(join(wrong, 'undo')), '--wait-interval', '0.1', '--wait-hold', '0.3']);
    expect(undone.code, undone.stderr + undone.stdout).toBe(0);
    const out = join(work, 'runtime-fixed');
    const g = runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'where-fix-2', '--out', out, '--entity', E1, '--entity', E2, '--where', "payload->>'ps_identifier' = 'None'"]);
    expect(g.code, g.stderr).toBe(0);
    const r = runCli(['run', out, '--db', url, '--yes', ...confirmManual(out), '--to', '9']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await db.query(`SELECT customer_entity_id FROM external_data.rs_where_fix_2_entities_backup`)).rows.map((x) => x.customer_entity_id)).toEqual([E1]);
    await db.end();
  });
});
