/**
 * The acceptance run's pure parts: reading whole-table scans from both dialects' EXPLAIN output,
 * the tables a statement reads and writes, which checks wait for earlier steps, the grants asked
 * for, and the report's verdict and text.
 */
import { describe, expect, it } from 'vitest';
import { loadPgQuery } from '../../src/core/where.js';
import { checkMembers } from '../../src/acceptance/checkMembers.js';
import { fullScans, tableRows } from '../../src/acceptance/planScans.js';
import { grantFor, privilegeQuery } from '../../src/acceptance/privileges.js';
import { acceptanceReport, formatAcceptance, refusal } from '../../src/acceptance/report.js';
import { isPlatformTable, statementTables } from '../../src/acceptance/tables.js';
import { assumptionProbes, settingProbes } from '../../src/acceptance/probes.js';
import { blockers, describeBlockers } from '../../src/acceptance/stepTables.js';
import { explainedSteps } from '../../src/acceptance/acceptance.js';

const json = (plan: unknown) => [{ 'QUERY PLAN': [{ Plan: plan }] }];

describe('whole-table scans in a plan', () => {
  it('PostgreSQL: every Seq Scan with its table, its estimate and the line to find it by; an index scan is none', () => {
    const plan = json({
      'Node Type': 'ModifyTable', 'Plan Rows': 0,
      Plans: [{ 'Node Type': 'Hash Join', 'Plan Rows': 10, Plans: [
        { 'Node Type': 'Seq Scan', 'Relation Name': 'customer_events', Alias: 'e', 'Plan Rows': 12, Filter: '(identifiers && $0)' },
        { 'Node Type': 'Bitmap Heap Scan', 'Relation Name': 'customer_attributes', 'Plan Rows': 3, Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'x', 'Plan Rows': 3 }] },
      ] }],
    });
    expect(fullScans(plan, { format: 'json' })).toEqual([{ table: 'customer_events', estimate: 12, line: 'Seq Scan on customer_events e (Filter: (identifiers && $0))' }]);
    expect(fullScans(json({ 'Node Type': 'Index Scan', 'Relation Name': 'customer_events', 'Plan Rows': 1 }), { format: 'json' })).toEqual([]);
  });

  it('CockroachDB: a scan whose spans are FULL SCAN (soft limit too), not a constrained or LIMITED SCAN; the estimate with thousands separators', () => {
    const tree = [
      '• update',
      '│ estimated row count: 0',
      '│',
      '└── • lookup join',
      '    │ table: customer_events@customer_events_pkey',
      '    │',
      '    └── • scan',
      '          estimated row count: 1,000,000 (100% of the table; stats collected 2 days ago)',
      '          table: customer_events@customer_events_pkey',
      '          spans: FULL SCAN (SOFT LIMIT)',
      '• scan',
      '  estimated row count: 2,000',
      '  table: customer_attributes@customer_attributes_pkey',
      "  spans: /'a'-",
      '• scan',
      '  table: customer_attributes@customer_attributes_pkey',
      '  spans: LIMITED SCAN',
    ].map((info) => ({ info }));
    expect(fullScans(tree, { format: 'tree' })).toEqual([
      { table: 'customer_events', estimate: 1_000_000, line: '• scan table: customer_events@customer_events_pkey spans: FULL SCAN (SOFT LIMIT)' },
    ]);
    expect(tableRows(tree, { format: 'tree' })).toBe(1_000_000);
    expect(tableRows(json({ 'Node Type': 'Seq Scan', 'Plan Rows': 20007.4 }), { format: 'json' })).toBe(20007);
  });
});

describe('the tables a statement touches', () => {
  const tables = async (sql: string) => statementTables((await loadPgQuery()).parseSync(sql).stmts![0]!.stmt as Record<string, unknown>);

  it('an INSERT ... SELECT writes its target and reads its sources; an UPDATE ... FROM reads and writes its target; a CTE is not a table', async () => {
    expect(await tables('WITH ids AS (SELECT id FROM w.backup) INSERT INTO w.done (id) SELECT e.id FROM customer_events AS e JOIN ids ON ids.id = e.id')).toEqual({
      reads: ['customer_events', 'w.backup'], writes: [{ table: 'w.done', privilege: 'INSERT' }], defines: [],
    });
    expect(await tables('UPDATE customer_attributes AS a SET modified = NULL FROM w.backup AS b WHERE b.id = a.customer_entity_id')).toMatchObject({
      reads: ['w.backup', 'customer_attributes'], writes: [{ table: 'customer_attributes', privilege: 'UPDATE' }],
    });
    expect((await tables('CREATE TABLE IF NOT EXISTS w.t (id uuid)')).defines).toEqual(['w.t']);
  });

  it('platform tables are customer_events, customer_attributes and cdp_*, never in the work schema or a catalog', () => {
    expect(['customer_events', 'public.customer_attributes', 'cdp_ce.customer_events', 'cdp_entities'].map((t) => isPlatformTable(t, 'external_data'))).toEqual([true, true, false, true]);
    expect(isPlatformTable('external_data.customer_events', 'external_data')).toBe(false);
    expect(isPlatformTable('pg_stat_activity', 'external_data')).toBe(false);
  });
});

it('a check splits at its top-level UNION ALL lines into SELECTs; a query that is not so stays whole', () => {
  const body = "-- note\nSELECT 'a' AS check_name, true AS ok\nFROM x\nUNION ALL\nSELECT 'b' AS check_name, false AS ok;\n";
  expect(checkMembers(body)).toEqual(["-- note\nSELECT 'a' AS check_name, true AS ok\nFROM x", "SELECT 'b' AS check_name, false AS ok"]);
  expect(checkMembers('WITH t AS (SELECT 1)\nSELECT 1 FROM t\nUNION ALL\nSELECT 2')).toHaveLength(1);
  expect(checkMembers("SELECT 1 AS ok\n  UNION ALL\nSELECT 2")).toHaveLength(1);
});

it('the grant asked for: has_table_privilege on PostgreSQL, SHOW GRANTS with roles and ALL on CockroachDB (no crdb_internal), and the GRANT to ask for', () => {
  const need = { privilege: 'UPDATE' as const, on: 'customer_attributes', kind: 'table' as const, steps: [10] };
  expect(privilegeQuery('postgres', need, true, 'cdp')).toEqual({ sql: 'SELECT has_table_privilege($1, $2) AS ok, current_user AS who', params: ['customer_attributes', 'UPDATE'] });
  const crdb = privilegeQuery('cockroachdb', need, true, 'cdp').sql;
  expect(crdb).toContain('FROM [SHOW GRANTS ON TABLE customer_attributes]');
  expect(crdb).toContain("g.privilege_type IN ('UPDATE', 'ALL')");
  expect(crdb).not.toMatch(/crdb_internal/);
  expect(grantFor(need, 'Runner', true, 'cdp')).toBe('GRANT UPDATE ON customer_attributes TO "Runner";');
  const schema = { privilege: 'CREATE' as const, on: 'external_data', kind: 'schema' as const, steps: [2] };
  expect(privilegeQuery('cockroachdb', schema, false, 'cdp').sql).toContain('[SHOW GRANTS ON DATABASE cdp]');
  expect(grantFor(schema, 'runner', false, 'cdp')).toBe('GRANT CREATE ON DATABASE cdp TO runner;');
});

it('settings and assumptions: CockroachDB reports the settings that change behaviour and warns on the values that break the runbook', () => {
  const crdb = Object.fromEntries(settingProbes('cockroachdb').map((p) => [p.name, p]));
  expect(Object.keys(crdb)).toEqual(expect.arrayContaining(['allow_unsafe_internals', 'sql_safe_updates', 'autocommit_before_ddl', 'default_transaction_isolation', 'statement_timeout', 'lock_timeout']));
  expect(crdb.allow_unsafe_internals?.concern?.('off')).toMatch(/refused \(42501\)/);
  expect(crdb.allow_unsafe_internals?.concern?.('on')).toBeNull();
  expect(crdb.default_transaction_isolation?.concern?.('read committed')).toMatch(/not SERIALIZABLE/);
  const division = assumptionProbes('cockroachdb').find((p) => p.subject === 'INT / INT')!;
  expect(division.judge([{ t: 'numeric' }]).verdict).toBe('warn');
  expect(division.judge([{ t: 'integer' }]).verdict).toBe('info');
  const statuses = assumptionProbes('cockroachdb').find((p) => p.subject === 'session statuses')!;
  expect(statuses.judge([{ status: 'ACTIVE', n: 2 }, { status: 'CLOSED', n: 5 }]).verdict).toBe('info');
  expect(statuses.judge([{ status: 'DRAINING', n: 1 }])).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/DRAINING is none of ACTIVE, IDLE, CLOSED/) });
});

it('the report fails on any failing item and puts the failures first, naming step, table and plan line', () => {
  const fail = { area: 'plan' as const, verdict: 'fail' as const, step: 8, file: '08-export-events.sql', subject: 'statement', table: 'customer_events', planLine: 'Seq Scan on customer_events e', detail: 'reads the whole of customer_events; plan: Seq Scan on customer_events e' };
  const report = acceptanceReport('postgres', 'PostgreSQL 18', 100_000, [{ area: 'server', verdict: 'info', subject: 'version', detail: 'PostgreSQL 18' }, fail, { ...fail, verdict: 'later', step: 9, file: '09-x.sql' }]);
  expect(report.ok).toBe(false);
  const text = formatAcceptance(report).split('\n');
  expect(text[0]).toMatch(/^acceptance on PostgreSQL 18: FAILED: 1 of 3 facts/);
  expect(text[1]).toBe('  FAIL step 8 (08-export-events.sql): plan: statement: reads the whole of customer_events; plan: Seq Scan on customer_events e');
  expect(text.some((l) => l.startsWith('  later step 9 (09-x.sql): plan of its statement'))).toBe(true);
  expect(refusal(report)).toBe('FAIL step 8 (08-export-events.sql): plan: statement: reads the whole of customer_events; plan: Seq Scan on customer_events e');
  expect(acceptanceReport('postgres', 'v', 1, [{ ...fail, verdict: 'warn' }]).ok).toBe(true);
});

describe('what waits for earlier steps', () => {
  const step = (number: number, file: string) => ({ header: { number, total: 9, kind: 'change' as const, title: file, why: '', expect: '', notes: [] }, file, slug: file, body: '' });
  const tables = [
    { step: step(2, '02-create.sql'), reads: [], writes: [{ table: 'w.meta', privilege: 'INSERT' as const }], defines: ['w.meta', 'w.backup'] },
    { step: step(6, '06-backup.sql'), reads: ['customer_attributes'], writes: [{ table: 'w.backup', privilege: 'INSERT' as const }], defines: [] },
    { step: step(10, '10-reset.sql'), reads: ['w.backup'], writes: [{ table: 'customer_attributes', privilege: 'UPDATE' as const }], defines: [] },
  ];

  it('a query waits for the earlier steps that write or create a table it reads, or change the catalog it reads', () => {
    expect(blockers(['pg_stat_activity'], tables, 3)).toEqual([]);
    expect(blockers(['w.meta'], tables, 3).map((b) => b.step.header.number)).toEqual([2]);
    expect(blockers(['information_schema.columns'], tables, 3).map((b) => b.step.header.number)).toEqual([2]);
    expect(describeBlockers(blockers(['customer_attributes', 'w.backup'], tables, 3))).toBe('step 2 (02-create.sql) changes w.backup; step 6 (06-backup.sql) changes w.backup; step 10 (10-reset.sql) changes customer_attributes');
    // Only the steps before it count.
    expect(blockers(['customer_attributes'], tables, 2)).toEqual([]);
  });

  it('a step is explained when it has plan items and none of them waits', () => {
    const item = (step: number, verdict: 'info' | 'later' | 'fail') => ({ area: 'plan' as const, verdict, step, subject: 's', detail: '' });
    expect([...explainedSteps(acceptanceReport('postgres', 'v', 1, [item(4, 'info'), item(8, 'info'), item(8, 'later'), item(9, 'fail')]))]).toEqual([4, 9]);
    expect(explainedSteps(null).size).toBe(0);
  });
});
