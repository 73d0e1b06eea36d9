/**
 * `restitch rehearse` on a real PostgreSQL source, read through a role that can only read: the
 * copy is rehearsed in an embedded PostgreSQL of its own, the glued entity comes apart and the
 * split pair merges under the fixed rule, and the source is left exactly as it was.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { DEFAULT_DIAGNOSE_OPTIONS, type Db } from '../../src/diagnose/diagnose.js';
import { DEFAULT_NORMALISATIONS } from '../../src/diagnose/normaliseIdentifier.js';
import { rehearse } from '../../src/rehearse/rehearse.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { E1, E2, E4, ev, L1, seedCurrent, seedLegacy, seedSplitTwin, snapshot } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, laneClient } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const READER = 'rehearse_reader';
const READER_PASSWORD = 'reader-Pw7';

/** A role that can log in and SELECT, nothing else, every transaction of it read-only. */
async function readOnlyUrl(db: pg.Client, name: string, schemas: string[]): Promise<string> {
  await db.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READER}') THEN
    CREATE ROLE ${READER} LOGIN PASSWORD '${READER_PASSWORD}'; END IF; END $$`);
  await db.query(`ALTER ROLE ${READER} SET default_transaction_read_only = on`);
  await db.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  for (const schema of schemas) {
    await db.query(`GRANT USAGE ON SCHEMA ${schema} TO ${READER}`);
    await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${READER}`);
  }
  const url = new URL(server.url(name));
  url.username = READER;
  url.password = READER_PASSWORD;
  return url.toString();
}

let eventNo = 500;
/** Entities of the current schema with their events' identifiers, as the broken rule stitched them. */
async function seedEntities(db: pg.Client, entities: Record<string, { identifiers: string[]; events: string[][] }>): Promise<void> {
  for (const [id, { identifiers, events }] of Object.entries(entities)) {
    await db.query(`INSERT INTO customer_attributes VALUES ($1, '2026-01-01', '2026-01-01', $2)`, [id, identifiers]);
    for (const [i, values] of events.entries()) {
      await db.query(
        `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, timestamptz '2026-01-01' + $4 * interval '1 minute', $2, '2026-01-02', $3)`,
        [ev(++eventNo), { ps_identifier: values.length === 1 ? values[0] : values }, values, i],
      );
    }
  }
}

/** Two customers (p1, p2) glued by the placeholder "no-email" their first events carry, a value on no default junk list. */
const GLUED = { glued: { identifiers: ['no-email', 'p1', 'p2'], events: [['no-email', 'p1'], ['no-email', 'p2'], ['p1'], ['p2']] } };

type Json = {
  before: Record<string, number>; after: Record<string, number>; merged: number; split: number; unstitchedEvents: number; orphanedEvents: number;
  giants: { entity: string; events: number }[]; steps: { step: string; ms: number; production: number | null }[]; extrapolation: { assumption: string };
};

async function currentSource(name: string): Promise<{ db: pg.Client; url: string; file: string }> {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  // E1 glued by "None" with a1 (3 events), E2 (12345) and E4 (12345.0) one customer split in two, E3 not chosen.
  await seedCurrent(db);
  await seedSplitTwin(db);
  await seedEntities(db, GLUED);
  await db.query('ANALYZE');
  const file = join(tempDir('rehearse'), 'entities.txt');
  writeFileSync(file, `# chosen\nglued\n${E1}\n${E2}\n${E4}\n`);
  return { db, url: await readOnlyUrl(db, name, ['public']), file };
}

describe('restitch rehearse, current schema', () => {
  it('as a read-only user: the glued entity comes apart, the split pair merges, nothing lost; the source is unchanged; the JSON shape', async () => {
    const { db, url, file } = await currentSource('cur1');
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await expect(probe.query(`INSERT INTO customer_attributes VALUES ('w', now(), now(), '{w}')`)).rejects.toThrow(/read-only transaction/);
    await expect(probe.query(`BEGIN READ WRITE; DELETE FROM customer_events`)).rejects.toThrow(/permission denied/);
    await probe.end();
    const before = await snapshot(db, false);
    const r = runCli(['rehearse', '--db', url, '--entities-file', file, '--junk', 'no-email', '--min-events', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^reading: 4 customer_attributes rows and 10 customer_events rows \(those sharing one of their 7 identifiers/m);
    const json = JSON.parse(r.stdout) as Json;
    expect(Object.keys(json).slice(0, 6)).toEqual(['before', 'after', 'merged', 'split', 'unstitchedEvents', 'orphanedEvents']);
    expect(json.before).toEqual({ entities: 4, largestEntityEvents: 4, largestEntityIdentifiers: 3 });
    // After: p1, p2, a1 and 12345 (the events of 12345 and 12345.0 together); the None events carry no identifier.
    expect(json.after).toEqual({ entities: 4, largestEntityEvents: 3, largestEntityIdentifiers: 1 });
    expect([json.merged, json.split, json.unstitchedEvents, json.orphanedEvents]).toEqual([1, 1, 2, 0]);
    expect(json.giants).toEqual([]);
    expect(json.steps[0]?.step).toBe('copy from the source (read-only)');
    expect(json.steps.slice(0, 3).map((s) => s.production)).toEqual([null, null, null]);
    expect(json.steps.slice(3).every((s) => /^\d+\. /.test(s.step) && s.production !== null && s.production >= s.ms)).toBe(true);
    expect(json.extrapolation.assumption).toMatch(/^each step's time grows linearly with the rows of the event table: 12 in production \(catalog estimate\) against 10 in the copy/);
    expect(await snapshot(db, false)).toEqual(before);
    await db.end();
  });

  it('a readable table by default; exit 1 when the rule leaves an entity giant (the placeholder not ignored)', async () => {
    const { db, url, file } = await currentSource('cur2');
    const ok = runCli(['rehearse', '--db', url, '--entities-file', file, '--junk', 'no-email', '--min-events', '4']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ +BEFORE +AFTER\nentities +4 +4\nlargest entity, events +4 +3\nlargest entity, identifiers +3 +1\n/);
    expect(ok.stdout).toMatch(/^merged \(splits healed\): 1 /m);
    expect(ok.stdout).toMatch(/^split \(glue removed\): 1 /m);
    expect(ok.stdout).toMatch(/^PASSED: /m);
    const giant = runCli(['rehearse', '--db', url, '--entities-file', file, '--min-events', '4', '--json']);
    expect(giant.code, giant.stdout + giant.stderr).toBe(1);
    const json = JSON.parse(giant.stdout) as Json;
    expect(json.giants).toEqual([{ entity: expect.stringMatching(/^entity-/) as unknown as string, identifiers: 3, events: 4 }]);
    expect(json.split).toBe(0);
    const table = runCli(['rehearse', '--db', url, '--entities-file', file, '--min-events', '4']);
    expect(table.stdout).toMatch(/^FAILED: entity entity-\S+ is still giant under the rule \(4 events, 3 identifiers\)$/m);
    await db.end();
  });

  it('refuses to copy more than --max-events events, before reading them; bad usage exits 2', async () => {
    const { db, url, file } = await currentSource('cur3');
    const r = runCli(['rehearse', '--db', url, '--entities-file', file, '--max-events', '9']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['restitch: the 4 chosen entities have more than 9 events (--max-events); choose fewer entities or raise --max-events (nothing was copied)']);
    const neither = runCli(['rehearse', '--db', url]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toBe('restitch: rehearse needs the entities: --entities-file FILE or --entity ID (repeatable), one of the two\n');
    const bad = runCli(['rehearse', '--db', url, '--entity', E1, '--normalise', 'soundex']);
    expect(bad.code).toBe(2);
    await db.end();
  });
});

describe('restitch rehearse from CockroachDB (the lane)', () => {
  it('copies in one follower-read historical transaction of SELECTs, rolled back; the same outcome; not extrapolated', async () => {
    const name = 'crdb1';
    const db = await server.database(name, COCKROACH_COMPAT_SQL + CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedSplitTwin(db);
    await seedEntities(db, GLUED);
    await db.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    const client = new pg.Client({ connectionString: server.url(name) });
    await client.connect();
    const lane = laneClient(client);
    const sent: string[] = [];
    const recording = { query: (sql: string, params?: unknown[]) => (sent.push(sql), lane.query(sql, params)) } as Db;
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'rehearse', entity: ['glued', E1, E2, E4] });
    const r = await rehearse(recording, {
      ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'cockroachdb', schema: 'current', inputs, junk: ['no-email'], normalisations: DEFAULT_NORMALISATIONS,
      minEvents: 4, maxEvents: 100, onCost: () => {}, say: () => {},
    });
    expect(sent.slice(0, 2)).toEqual([`SET statement_timeout = '60000ms'`, 'BEGIN TRANSACTION AS OF SYSTEM TIME follower_read_timestamp()']);
    expect(sent.at(-1)).toBe('ROLLBACK');
    for (const sql of sent.slice(2, -1)) expect(sql).toMatch(/^SELECT /);
    expect([r.before, r.after, r.merged, r.split, r.unstitchedEvents, r.orphanedEvents]).toEqual([
      { entities: 4, largestEntityEvents: 4, largestEntityIdentifiers: 3 }, { entities: 4, largestEntityEvents: 3, largestEntityIdentifiers: 1 }, 1, 1, 2, 0,
    ]);
    expect(r.extrapolation.factor).toBeNull();
    expect(r.steps.every((s) => s.production === null)).toBe(true);
    await client.end();
    await db.end();
  });
});

describe('restitch rehearse --schema legacy', () => {
  const entity = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('the glued entity comes apart and the split pair merges through cdp_ps.matching; the source is unchanged', async () => {
    const name = 'leg1';
    const db = await server.database(name, LEGACY_SCHEMA_DDL);
    // seedLegacy: L1 glued by "None" (2 events) with x1; E2 and L3 not chosen.
    await seedLegacy(db);
    const events: [string, string][] = [['no-email', entity(1)], ['p1', entity(1)], ['p2', entity(1)], ['p1', entity(1)], ['55555', entity(2)], ['55555.0', entity(3)]];
    for (const [value, owner] of events) {
      const id = ev(++eventNo);
      await db.query(`INSERT INTO cdp_ce.customer_events VALUES ($1, '2026-01-01', $2)`, [id, { ps_identifier: value }]);
      await db.query('INSERT INTO cdp_ps.matching VALUES ($1, $2)', [id, owner]);
    }
    const url = await readOnlyUrl(db, name, ['public', 'cdp_ce', 'cdp_ps', 'cdp_attr']);
    const before = await snapshot(db, true);
    const r = runCli(['rehearse', '--schema', 'legacy', '--db', url, '--entity', entity(1), '--entity', L1, '--entity', entity(2), '--entity', entity(3), '--junk', 'no-email', '--min-events', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.before).toEqual({ entities: 4, largestEntityEvents: 4, largestEntityIdentifiers: 3 });
    expect(json.after).toEqual({ entities: 4, largestEntityEvents: 2, largestEntityIdentifiers: 1 });
    expect([json.merged, json.split, json.unstitchedEvents, json.orphanedEvents]).toEqual([1, 1, 3, 0]);
    expect(await snapshot(db, true)).toEqual(before);
    await db.end();
  });
});
