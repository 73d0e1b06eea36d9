/**
 * diagnose's normalisations on a real PostgreSQL and on the CockroachDB lane: the SQL that picks
 * candidate values selects every value normaliseIdentifier changes, and split customers in typed,
 * phone and e-mail forms are found with their evidence, only under the normalisations chosen.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNNORMAL_VALUES } from '../../src/diagnose/diagnoseSql.js';
import { DEFAULT_NORMALISATIONS, NORMALISATIONS, normaliseIdentifier, type Normalisation } from '../../src/diagnose/normaliseIdentifier.js';
import { diagnose, DEFAULT_DIAGNOSE_OPTIONS } from '../../src/diagnose/diagnose.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { ev } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { COCKROACH_COMPAT_SQL, laneClient } from '../helpers/cockroachLane.js';
import { TestServer } from '../helpers/database.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

/** Values in and out of normal form, under every normalisation. */
const VALUES = [
  '12345', '12345.0', '012345', '+12345', '-0', '-12', '0', '1e3', 'cust:12345', 'cust:12345.0', 'cust:007', 'v1.0', '1.0.3', 'a:1.0:b',
  '+420 123 456 789', '+420-123-456-789', '00420123456789', '+420123456789', '420123456789', '123 456 789',
  'jane@example.com', 'Jane@Example.com', 'mailto:jane@example.com', 'jane.doe+news@example.com', 'MAILTO:x@y.cz',
  ' padded', 'tab\t', 'Émile', 'émile', 'straße', 'plain', 'ONLY-UPPER',
];

async function unnormalSelected(name: string, ddl: string, lane: boolean): Promise<string[]> {
  const db = await server.database(name, ddl);
  for (const [i, v] of VALUES.entries()) await db.query(`INSERT INTO customer_attributes VALUES ($1, now(), now(), $2)`, [`e${i}`, [v]]);
  const client = lane ? laneClient(db) : db;
  const rows = (await client.query<{ value: string }>(UNNORMAL_VALUES, [10_000])).rows.map((r) => r.value);
  await db.end();
  return rows;
}

describe('the candidate SQL and normaliseIdentifier agree', () => {
  const changed = VALUES.filter((v) => NORMALISATIONS.some((n) => normaliseIdentifier(v, [n]) !== v) || normaliseIdentifier(v) !== v);

  it.each([['PostgreSQL', false], ['the CockroachDB lane', true]] as const)('on %s every value a normalisation changes is a candidate', async (label, lane) => {
    const selected = await unnormalSelected(lane ? 'lane_unnormal' : 'pg_unnormal', (lane ? COCKROACH_COMPAT_SQL : '') + CURRENT_SCHEMA_DDL, lane);
    expect(changed.filter((v) => !selected.includes(v)), label).toEqual([]);
    // A superset, but not everything: values in normal form under every normalisation stay out.
    expect(selected).not.toContain('plain');
    expect(selected).not.toContain('cust:12345');
  });
});

let n = 0;
const evId = () => `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`;

describe('restitch diagnose --normalise', () => {
  it('finds split customers in typed, phone and e-mail forms with their evidence; keeps apart what must stay apart', async () => {
    const name = 'split_forms';
    const db = await server.database(name, CURRENT_SCHEMA_DDL);
    const entities: Record<string, string> = {
      typed1: 'cust:12345', typed2: 'cust:12345.0', phone1: '+420 123 456 789', phone2: '00420123456789', phone3: '+420-123-456-789',
      mail1: 'Jane.Doe@Example.com', mail2: 'jane.doe@example.com',
      // Must stay apart from the above: another digit, no country code, dots dropped, a +tag, zero padding.
      apart1: 'cust:123450', apart2: '123 456 789', apart3: 'janedoe@example.com', apart4: 'jane.doe+news@example.com', apart5: 'cust:0012345',
    };
    for (const [id, value] of Object.entries(entities)) {
      await db.query(`INSERT INTO customer_attributes VALUES ($1, '2026-01-01', '2026-01-01', $2)`, [id, [value]]);
      await db.query(`INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, '2026-01-01', $2, '2026-01-02', $3)`, [evId(), { ps_identifier: value }, [value]]);
    }
    await db.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    const r = runCli(['diagnose', '--db', server.url(name), '--json']);
    expect(r.code, r.stderr).toBe(1);
    type F = { kind: string; entities: string[]; evidence: Record<string, number>; examples: string[] };
    const splits = (JSON.parse(r.stdout) as { findings: F[] }).findings.filter((f) => f.kind === 'split-customer');
    expect(splits.map((f) => [f.entities, f.evidence, f.examples])).toEqual([
      [['phone1', 'phone2', 'phone3'], { entities: 3, values: 3 }, ["'+420 123 456 789': phone1", "'+420-123-456-789': phone3", "'00420123456789': phone2"]],
      [['typed1', 'typed2'], { entities: 2, values: 2 }, ["'cust:12345': typed1", "'cust:12345.0': typed2"]],
      [['mail1', 'mail2'], { entities: 2, values: 2 }, ["'jane.doe@example.com': mail2", "'Jane.Doe@Example.com': mail1"]],
    ]);
    const phoneOnly = runCli(['diagnose', '--db', server.url(name), '--json', '--normalise', 'phone']);
    expect((JSON.parse(phoneOnly.stdout) as { findings: F[] }).findings.filter((f) => f.kind === 'split-customer').map((f) => f.entities)).toEqual([['phone1', 'phone2', 'phone3']]);
    const none = runCli(['diagnose', '--db', server.url(name), '--json', '--normalise', 'none']);
    expect(none.code, none.stderr).toBe(0);
    const bad = runCli(['diagnose', '--db', server.url(name), '--normalise', 'phone,dots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(["restitch: --normalise 'dots' is not a normalisation; choose from case, number, number-token, phone, email, none, default (comma-separated)"]);
    await db.end();
  });
});

describe('diagnose --schema legacy --normalise', () => {
  it('groups the sampled payload values with the same normalisations', async () => {
    const db = await server.database('legacy_forms', LEGACY_SCHEMA_DDL);
    const owner = (k: number) => `eeeeeeee-0000-4000-8000-${String(k).padStart(12, '0')}`;
    const values = ['+420 123 456 789', '00420123456789', 'cust:9.0', 'cust:9', 'Jane@Example.com', 'jane@example.com', '123 456 789'];
    for (const [i, value] of values.entries()) {
      await db.query(`INSERT INTO cdp_ce.customer_events VALUES ($1, '2026-01-01', $2)`, [ev(900 + i), { ps_identifier: value }]);
      await db.query('INSERT INTO cdp_ps.matching VALUES ($1, $2)', [ev(900 + i), owner(i)]);
    }
    const splits = async (normalisations: readonly Normalisation[]) =>
      (await diagnose(db, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres', schema: 'legacy', normalisations })).findings.filter((f) => f.kind === 'split-customer').map((f) => f.entities);
    expect(await splits(DEFAULT_NORMALISATIONS)).toEqual([[owner(0), owner(1)], [owner(2), owner(3)], [owner(4), owner(5)]]);
    expect(await splits(['email'])).toEqual([[owner(4), owner(5)]]);
    expect(await splits([])).toEqual([]);
    await db.end();
  });
});
