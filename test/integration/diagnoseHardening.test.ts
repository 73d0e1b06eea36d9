/**
 * diagnose on a server whose sessions start with standard_conforming_strings = off, and a legacy
 * --payload-field that no sampled event has.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

type JsonReport = { findings: { kind: string; entities: string[]; evidence: Record<string, number> }[]; warnings?: string[] };

/** Values the regular expressions of diagnose look at: blank, surrounding white space, a sign, a fraction. */
const ENTITIES: Record<string, string[]> = {
  blank: ['  ', 'b1'],
  'space-a': [' q7 '],
  'space-b': ['q7'],
  'plus-a': ['+4242'],
  'plus-b': ['4242.0'],
};

async function seeded(name: string, scs: 'on' | 'off'): Promise<string> {
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  let n = 0;
  for (const [id, identifiers] of Object.entries(ENTITIES)) {
    await db.query(`INSERT INTO customer_attributes VALUES ($1, '2026-01-01', '2026-01-01', $2)`, [id, identifiers]);
    await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, '2026-01-01', '{}', '2026-01-02', $2)`, [
      `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`,
      identifiers,
    ]);
  }
  await db.query(`ALTER DATABASE ${name} SET standard_conforming_strings = ${scs}`);
  await db.end();
  const probe = new pg.Client({ connectionString: server.url(name) });
  probe.on('error', () => {});
  await probe.connect();
  expect((await probe.query<{ s: string }>('SELECT current_setting($1) AS s', ['standard_conforming_strings'])).rows[0]?.s).toBe(scs);
  await probe.end();
  return server.url(name);
}

const kinds = (r: JsonReport) => r.findings.map((f) => [f.kind, f.entities, f.evidence]);

describe('diagnose with standard_conforming_strings = off', () => {
  it('finds what it finds with the setting on: blank, white-space and signed values', async () => {
    const on = runCli(['diagnose', '--db', await seeded('scson', 'on'), '--json']);
    const off = runCli(['diagnose', '--db', await seeded('scsoff', 'off'), '--json']);
    expect(on.code, on.stderr).toBe(1);
    expect(off.stderr).not.toMatch(/failed|invalid regular expression/);
    expect(off.code, off.stderr).toBe(1);
    const found = kinds(JSON.parse(on.stdout) as JsonReport);
    expect(found).toEqual(expect.arrayContaining([
      ['junk-value', ['blank'], { events: 1, entities: 1 }],
      ['split-customer', ['space-a', 'space-b'], { entities: 2, values: 2 }],
      ['split-customer', ['plus-a', 'plus-b'], { entities: 2, values: 2 }],
    ]));
    expect(kinds(JSON.parse(off.stdout) as JsonReport)).toEqual(found);
  });
});

describe('diagnose --schema legacy --payload-field', () => {
  it('a field no sampled event has is a warning and exit 1, not a clean bill', async () => {
    const db = await server.database('legacypf', LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    await db.end();
    const url = server.url('legacypf');
    const typo = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--payload-field', 'ps_identifer']);
    expect(typo.code, typo.stderr).toBe(1);
    expect(typo.stdout).toMatch(/^warning: --payload-field 'ps_identifer': none of the \d+ sampled events has this payload field/m);
    expect(typo.stdout).not.toMatch(/Nothing calls for a reset;/);
    const json = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--payload-field', 'ps_identifer', '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as JsonReport).warnings).toEqual([expect.stringMatching(/none of the \d+ sampled events has this payload field/)]);
    // The right field: no warning.
    const right = runCli(['diagnose', '--schema', 'legacy', '--db', url, '--json']);
    expect((JSON.parse(right.stdout) as JsonReport).warnings).toEqual([]);
  });
});
