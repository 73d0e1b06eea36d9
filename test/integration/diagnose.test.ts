import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { diagnose, DEFAULT_DIAGNOSE_OPTIONS, type Db } from '../../src/diagnose/diagnose.js';
import { readRunbook } from '../../src/io/runbookFs.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, laneClient } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { confirmManual, platformBeside, startCli } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

const evId = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

/** Entities with their events' identifiers (one event per array), stitched as the broken rule left them. */
async function seedEntities(db: pg.Client, entities: Record<string, { identifiers: string[]; events: string[][] }>): Promise<void> {
  let n = 0;
  for (const [id, { identifiers, events }] of Object.entries(entities)) {
    await db.query(`INSERT INTO customer_attributes VALUES ($1, '2026-01-01', '2026-01-01', $2)`, [id, identifiers]);
    for (const ids of events) {
      await db.query(
        `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, '2026-01-01', $2, '2026-01-02', $3)`,
        [evId(++dbCount * 1000 + ++n), { ps_identifier: ids[0] ?? null }, ids],
      );
    }
  }
}

/** A numeric split customer the fixed rule joins again: 77777 and 77777.0 in two entities. */
const SPLIT = {
  'split-a': { identifiers: ['77777'], events: [['77777']] },
  'split-b': { identifiers: ['77777.0'], events: [['77777.0']] },
};

/** The seeded findings beside seedCurrent (E1 glued by "None", an empty identifier array) and the controls. */
const SEEDED = {
  ...SPLIT,
  'case-a': { identifiers: ['Bob@Example.com'], events: [['Bob@Example.com']] },
  'case-b': { identifiers: ['bob@example.com'], events: [['bob@example.com']] },
  'blank-glued': { identifiers: ['  ', 'b1'], events: [['  '], ['b1']] },
  giant: { identifiers: ['g1', 'g2', 'g3'], events: [['g1'], ['g1'], ['g2'], ['g2'], ['g3'], ['g3']] },
  // A giant entity of one identifier: never among the entities with the most identifiers.
  'busy-one': { identifiers: ['b-only'], events: Array.from({ length: 7 }, () => ['b-only']) },
  // One value five entities hold (--max-entities-per-value 5 by default).
  ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`shared-${i + 1}`, { identifiers: ['shared-x', `s${i + 1}`], events: [['shared-x', `s${i + 1}`]] }])),
  lonely: { identifiers: ['nobody-has-this'], events: [] },
  // Controls: not in normal form but with no twin; a number near another; five events (under
  // --min-events 6); a value four entities hold (under the threshold).
  'control-upper': { identifiers: ['ONLY-UPPER'], events: [['ONLY-UPPER']] },
  'control-num': { identifiers: ['777770'], events: [['777770']] },
  'control-busy': { identifiers: ['k1'], events: [['k1'], ['k1'], ['k1'], ['k1'], ['k1']] },
  ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`four-${i + 1}`, { identifiers: ['four-x'], events: [['four-x']] }])),
};
const SEEDED_OPTIONS = ['--min-events', '6', '--sample', '1'];
const SEEDED_FINDINGS = [
  ['high', 'giant-entity', ['busy-one'], { events: 7, identifiers: 1 }],
  ['high', 'giant-entity', ['giant'], { events: 6, identifiers: 3 }],
  ['high', 'shared-value', ['shared-1', 'shared-2', 'shared-3', 'shared-4', 'shared-5'], { events: 5, entities: 5 }],
  ['high', 'junk-value', [E1], { events: 2, entities: 1 }],
  ['high', 'junk-value', ['blank-glued'], { events: 1, entities: 1 }],
  ['medium', 'split-customer', ['split-a', 'split-b'], { entities: 2, values: 2 }],
  ['medium', 'split-customer', ['case-a', 'case-b'], { entities: 2, values: 2 }],
  ['info', 'entity-without-events', [], { entities: 1 }],
  ['info', 'empty-identifiers', [], { events: 1 }],
];
type JsonFinding = { kind: string; severity: string; entities: string[]; evidence: Record<string, number>; examples: string[]; estimate?: string };

async function fresh(): Promise<{ db: pg.Client; name: string; url: string }> {
  const name = `d${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, name, url: server.url(name) };
}

describe('restitch diagnose on a real PostgreSQL', () => {
  it('reports exactly the seeded findings, none of the controls, from a read-only session', async () => {
    const { db, name, url } = await fresh();
    // seedCurrent: E1 glued by "None", E2 and E3 healthy, one event with an empty identifier array.
    await seedEntities(db, SEEDED);
    // Every session of this database is read-only from now on: a write of diagnose would fail.
    await db.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await expect(probe.query(`INSERT INTO customer_attributes VALUES ('w', now(), now(), '{w}')`)).rejects.toThrow(/read-only transaction/);
    await probe.end();

    // --sample 1: only the one entity with the most identifiers ('giant') is counted for that
    // reason; 'busy-one' (one identifier) must be found through the event sample.
    const r = runCli(['diagnose', '--db', url, '--json', ...SEEDED_OPTIONS]);
    expect(r.code, r.stderr).toBe(1);
    const { findings, suggestion } = JSON.parse(r.stdout) as { findings: JsonFinding[]; suggestion: { entities: string[] } };
    expect(findings.map((f) => [f.severity, f.kind, f.entities, f.evidence])).toEqual(SEEDED_FINDINGS);
    expect(findings.every((f) => f.estimate === undefined)).toBe(true);
    expect(findings.at(-2)?.examples).toEqual(['lonely']);
    expect(suggestion.entities).toEqual(['busy-one', 'giant', 'shared-1', 'shared-2', 'shared-3', 'shared-4', 'shared-5', E1, 'blank-glued', 'split-a', 'split-b', 'case-a', 'case-b']);
    await db.end();
  });

  it('on the CockroachDB lane: a historical read-only transaction, the same findings, counts parsed from INT8 text', async () => {
    const name = `d${++dbCount}`;
    const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedEntities(db, SEEDED);
    await db.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    const client = new pg.Client({ connectionString: server.url(name) });
    await client.connect();
    const lane = laneClient(client);
    const sent: string[] = [];
    const recording: Db = { query: (sql, params) => (sent.push(sql), lane.query(sql, params)) } as Db;
    // node-postgres returns int8 as text: the evidence must still be numbers.
    expect(typeof (await client.query<{ n: unknown }>('SELECT count(*) AS n FROM customer_events')).rows[0]?.n).toBe('string');
    const { findings } = await diagnose(recording, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'cockroachdb', minEvents: 6, sample: 1 });
    expect(findings.map((f) => [f.severity, f.kind, f.entities, f.evidence])).toEqual(SEEDED_FINDINGS);
    expect(sent.slice(0, 2)).toEqual([`SET statement_timeout = '60000ms'`, 'BEGIN TRANSACTION AS OF SYSTEM TIME follower_read_timestamp()']);
    expect(sent.at(-1)).toBe('ROLLBACK');
    await client.end();
    await db.end();
  });

  it('sends its reads inside one READ ONLY transaction with a statement timeout, and rolls it back', async () => {
    const { db } = await fresh();
    const sent: string[] = [];
    const recording: Db = { query: (sql, params) => (sent.push(sql), db.query(sql, params)) } as Db;
    await diagnose(recording, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres' });
    expect(sent.slice(0, 2)).toEqual(['SET statement_timeout = 60000', 'BEGIN TRANSACTION READ ONLY']);
    expect(sent.at(-1)).toBe('ROLLBACK');
    for (const sql of sent.slice(2, -1)) expect(sql).toMatch(/^SELECT /);
    await db.end();
  });

  it('--max-seconds: stops between stages with the findings so far and says what it did not look for', async () => {
    const { db } = await fresh();
    await seedEntities(db, SPLIT);
    let t = 0;
    const clock = () => (t += 1000);
    const { findings, skipped } = await diagnose(db, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres', maxSeconds: 2, now: clock });
    expect(findings.map((f) => [f.kind, f.entities])).toEqual([['junk-value', [E1]]]);
    expect(skipped).toEqual(['values held by many entities', 'split customers', 'giant entities', 'pitfalls']);
    const all = await diagnose(db, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres', maxSeconds: 60, now: clock });
    expect(all.skipped).toEqual([]);
    expect(all.findings.map((f) => f.kind)).toContain('split-customer');
    await db.end();
  });

  it('says what it will read from the catalog estimates, exits 0 on a healthy database, and 2 with one line on a bad option', async () => {
    const { db, url } = await fresh();
    await db.query(`DELETE FROM customer_attributes WHERE customer_entity_id = $1`, [E1]);
    await db.query(`DELETE FROM customer_events WHERE identifiers @> '{None}' OR identifiers @> '{a1}'`);
    const unanalysed = runCli(['diagnose', '--db', url]);
    expect(unanalysed.stderr).toMatch(/^reading: customer_attributes scanned at most 7 times \(rows not estimated yet\)/);
    await db.query('ANALYZE');
    const ok = runCli(['diagnose', '--db', url]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // Told before the reads, from the catalog: two entities and four events are left.
    expect(ok.stderr).toMatch(/^reading: customer_attributes scanned at most 7 times \(about 2 rows\); customer_events by its indexes only \(about 4 rows\): a sample of at most 20,000 events in 50 primary-key ranges/);
    expect(ok.stdout).toMatch(/^INFO +events with an empty identifier array/m);
    const bad = runCli(['diagnose', '--db', url, '--min-events', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(["restitch: --min-events must be a whole number of at least 1, not 'lots'"]);
    await db.end();
  });

  it('diagnose --out, generate multi-entity --entities-file, run with the fixed rule beside it: diagnose again finds nothing', async () => {
    const { db, url } = await fresh();
    await seedEntities(db, SPLIT);
    const dir = tempDir('diagnose');
    const file = join(dir, 'entities.txt');
    const first = runCli(['diagnose', '--db', url, '--out', file, '--incident', 'diag-roundtrip']);
    expect(first.code, first.stderr).toBe(1);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^# high: junk identifier value 'None' .*\\n${E1}\\n`, 'm'));
    const command = first.stdout.split('\n').find((l) => l.trim().startsWith('restitch generate'))?.trim() ?? '';
    expect(command).toBe(`restitch generate multi-entity --dialect postgres --incident diag-roundtrip --entities-file ${file}`);
    const runbook = join(dir, 'runbook');
    const gen = runCli([...command.split(' ').slice(1), '--out', runbook]);
    expect(gen.code, gen.stderr).toBe(0);
    const { manifest } = readRunbook(runbook);
    expect(manifest.inputs.entityCount).toBe(3);
    expect(readFileSync(join(runbook, 'entities.txt'), 'utf8')).toBe(`${[E1, 'split-a', 'split-b'].join('\n')}\n`);
    const platform = platformBeside(url, false, sqlQualified(manifest.inputs.workSchema, 'restitch_journal'));
    const run = await startCli(['run', runbook, '--db', url, '--yes', ...confirmManual(runbook), '--wait-interval', '0.1']).done;
    await platform.stop();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const again = runCli(['diagnose', '--db', url, '--json']);
    expect(again.code, again.stdout).toBe(0);
    const kinds = (JSON.parse(again.stdout) as { findings: { kind: string }[] }).findings.map((f) => f.kind);
    expect(kinds).toEqual(['empty-identifiers']);
    await db.end();
  });
});
