/**
 * `restitch diagnose --schema legacy` on a real PostgreSQL: the cdp_ce / cdp_ps / cdp_attr
 * schema, entities through cdp_ps.matching, identifiers in the payload.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { ev, L1, seedLegacy } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual, platformBeside, startCli } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const entity = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;
let eventNo = 100;

/** Events with their payload identifier, matched to `entity` (null: no matching row), queued when asked. */
async function seedEvents(db: pg.Client, events: { value: string; entity: string | null; queued?: boolean }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const e of events) {
    const id = ev(++eventNo);
    ids.push(id);
    await db.query(`INSERT INTO cdp_ce.customer_events VALUES ($1, '2026-01-01', $2)`, [id, { ps_identifier: e.value }]);
    if (e.entity) await db.query('INSERT INTO cdp_ps.matching VALUES ($1, $2)', [id, e.entity]);
    if (e.queued) await db.query('INSERT INTO cdp_ps.customer_events_to_process VALUES ($1, now())', [id]);
  }
  return ids;
}

const SPLIT = [{ value: '55555', entity: entity(1) }, { value: '55555.0', entity: entity(2) }];

async function fresh(): Promise<{ db: pg.Client; name: string; url: string }> {
  const name = `l${++dbCount}`;
  const db = await server.database(name, LEGACY_SCHEMA_DDL);
  // seedLegacy: L1 glued by "None" (2 events) and x1, E2 and L3 healthy, event 7 ('w1') without a matching row.
  await seedLegacy(db);
  return { db, name, url: server.url(name) };
}

type JsonFinding = { kind: string; severity: string; entities: string[]; evidence: Record<string, number>; examples: string[]; estimate?: string };

describe('restitch diagnose --schema legacy', () => {
  it('reports exactly the seeded findings from a read-only session, and suggests legacy-steps and orphan-recovery', async () => {
    const { db, name, url } = await fresh();
    await seedEvents(db, [
      ...SPLIT,
      ...Array.from({ length: 6 }, () => ({ value: 'g', entity: entity(3) })), // giant: 6 matched events
      ...Array.from({ length: 5 }, (_, i) => ({ value: 'shared', entity: entity(10 + i) })), // one value, five entities
      { value: 'q1', entity: null, queued: true }, // waiting in the queue: backlog, not an orphan
      { value: 'None', entity: null }, // no identifier under the fixed rule: rightly unmatched
      // Controls: five events of one entity (under --min-events 6), a value four entities hold.
      ...Array.from({ length: 5 }, () => ({ value: 'k', entity: entity(4) })),
      ...Array.from({ length: 4 }, (_, i) => ({ value: 'four', entity: entity(20 + i) })),
    ]);
    await db.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    const dir = tempDir('diagnose-legacy');
    const file = join(dir, 'entities.txt');
    const r = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--json', '--min-events', '6', '--out', file, '--incident', 'legacy-none']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^reading: cdp_ce\.customer_events by its primary key only \(rows not estimated yet\): a sample of at most 20,000 events/);
    const { findings, suggestion } = JSON.parse(r.stdout) as { findings: JsonFinding[]; suggestion: { scenario: string; entities: string[]; command: string; orphanCommand: string } };
    expect(findings.map((f) => [f.severity, f.kind, f.entities, f.evidence])).toEqual([
      ['high', 'giant-entity', [entity(3)], { events: 6 }],
      ['high', 'shared-value', [10, 11, 12, 13, 14].map(entity), { events: 5, entities: 5 }],
      ['high', 'junk-value', [L1], { events: 2, entities: 1 }],
      ['medium', 'split-customer', [entity(1), entity(2)], { entities: 2, values: 2 }],
      ['medium', 'orphaned-events', [], { events: 1 }],
      ['info', 'queue-backlog', [], { events: 1 }],
      ['info', 'unidentified-events', [], { events: 1 }],
    ]);
    // The sample read the whole table: no figure is an estimate.
    expect(findings.filter((f) => f.estimate !== undefined)).toEqual([]);
    expect(findings[4]?.examples).toEqual([ev(7)]);
    expect(suggestion.command).toBe(`restitch generate legacy-steps --dialect postgres --incident legacy-none --entities-file ${file}`);
    expect(suggestion.orphanCommand).toBe('restitch generate orphan-recovery --dialect postgres --incident legacy-none-orphans');
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([entity(3), ...[10, 11, 12, 13, 14].map(entity), L1, entity(1), entity(2)]);
    await db.end();
  });

  it('labels figures from a sample smaller than the table as estimates, in JSON and in the table', async () => {
    const { db, url } = await fresh();
    await seedEvents(db, Array.from({ length: 60 }, (_, i) => ({ value: 'None', entity: entity(100 + (i % 3)) })));
    const json = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--json', '--sample-events', '50']);
    const junk = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings.find((f) => f.kind === 'junk-value');
    expect(junk?.estimate, json.stdout).toMatch(/^estimate from a sample of 1 of about \d+ events$/);
    const table = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--sample-events', '50']);
    expect(table.stdout).toMatch(/^HIGH +junk identifier value 'None' +~\d+ events, 1 entities \(estimate from a sample of 1 of about \d+ events\)/m);
    await db.end();
  });

  it('refuses a bad --schema with one line and exit 2', () => {
    const bad = runCli(['diagnose', '--schema', 'old']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(["restitch: --schema must be current or legacy, not 'old'"]);
  });

  it('diagnose --out, generate legacy-steps --entities-file, run with the fixed rule beside it: diagnose again finds nothing to reset', async () => {
    const { db, url } = await fresh();
    await db.query('DELETE FROM cdp_ce.customer_events WHERE id = $1', [ev(7)]); // the orphan has a runbook of its own
    await seedEvents(db, SPLIT);
    const dir = tempDir('diagnose-legacy');
    const file = join(dir, 'entities.txt');
    const first = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--out', file, '--incident', 'legacy-roundtrip']);
    expect(first.code, first.stderr).toBe(1);
    const command = first.stdout.split('\n').find((l) => l.trim().startsWith('restitch generate'))?.trim() ?? '';
    expect(command).toBe(`restitch generate legacy-steps --dialect postgres --incident legacy-roundtrip --entities-file ${file}`);
    const runbook = join(dir, 'runbook');
    const gen = runCli([...command.split(' ').slice(1), '--out', runbook]);
    expect(gen.code, gen.stderr).toBe(0);
    const { manifest } = readRunbook(runbook);
    expect(readFileSync(join(runbook, 'entities.txt'), 'utf8')).toBe(`${[L1, entity(1), entity(2)].join('\n')}\n`);
    const platform = platformBeside(url, true, sqlQualified(manifest.inputs.workSchema, 'restitch_journal'));
    const run = await startCli(['run', runbook, '--db', url, '--yes', ...confirmManual(runbook), '--wait-interval', '0.1']).done;
    await platform.stop();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const again = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--json']);
    expect(again.code, again.stdout).toBe(0);
    // The "None" events are left without a matching row by the fixed rule: information only.
    const kinds = (JSON.parse(again.stdout) as { findings: JsonFinding[] }).findings.map((f) => [f.kind, f.evidence]);
    expect(kinds).toEqual([['unidentified-events', { events: 2 }]]);
    await db.end();
  });
});
