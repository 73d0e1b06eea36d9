import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPgQuery } from '../../src/core/where.js';
import { ALL_RULES, lintSql } from '../../src/lint/lintSql.js';
import { ROOT } from '../helpers/cli.js';
import { LeaseTable } from '../../src/runner/lease/lease.js';
import type { Db } from '../../src/runner/connection/session.js';

const pg = await loadPgQuery();
const lint = (sql: string, dialect: 'cockroachdb' | 'postgres' = 'cockroachdb') => lintSql(sql, dialect, pg);
const rules = (sql: string, dialect: 'cockroachdb' | 'postgres' = 'cockroachdb') => lint(sql, dialect).map((f) => f.rule);
const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'lint', name), 'utf8');
const at = (name: string, rule: string) => lint(fixture(name)).filter((f) => f.rule === rule).map((f) => f.line);

describe('CockroachDB rules (what a current cluster refuses)', () => {
  it('every rule, statement or transaction, cites its source', () => {
    for (const rule of ALL_RULES) expect(rule.source, rule.id).toMatch(/https:\/\/|cockroachdb\/cockroach /);
    expect(ALL_RULES.map((r) => r.id)).toEqual(expect.arrayContaining(['int-division', 'crdb-internal-unsafe', 'for-update-where', 'ddl-dml-one-transaction', 'copy-in-transaction']));
  });

  it('int-division: the old export progress total (count(*) + N - 1) / N in the step header', () => {
    expect(at('old-multi-entity-08-export-events.sql', 'int-division')).toEqual([4]);
    // The fixed form: // is CockroachDB's integer division.
    const fixed = fixture('old-multi-entity-08-export-events.sql').replace('(count(*) + 2 - 1) / 2', '(count(*) + 2 - 1) // 2');
    expect(lint(fixed).filter((f) => f.rule === 'int-division')).toEqual([]);
  });

  it('int-division: the runner\'s own lease lock, sent on CockroachDB too, divides no integers', () => {
    const lock = new LeaseTable({} as Db, 'external_data', 'inc').lockStatement("'inc'", "'run'");
    expect(rules(`${lock};`)).toEqual([]);
    expect(rules(`${lock.replace('1.0 /', '1 /')};`)).toContain('int-division');
  });

  it('int-division: fires only when both operands are known integers', () => {
    for (const sql of [
      'SELECT 7 / 2;',
      'SELECT count(*) / 2 FROM t;',
      'SELECT CAST(x AS INT) / 3 FROM t;',
      'SELECT x::bigint / y::int8 FROM t;',
      'SELECT (SELECT count(*) FROM t) / 1000;',
      'SELECT coalesce(max(j.progress_total), 0) / 2 FROM j;',
      'SELECT j.rows_affected / j.batches FROM j;',
      'SELECT -array_length(a, 1) / 2 FROM t;',
      'UPDATE j SET progress_total = (count_done + 1) / 2 + (3 * 4) / 5 WHERE id = 1;',
    ]) expect(rules(sql), sql).toContain('int-division');
    for (const sql of [
      'SELECT 7 // 2;',
      'SELECT 7.0 / 2;',
      'SELECT x / 2 FROM t;',
      'SELECT CAST(count(*) AS DECIMAL) / 2 FROM t;',
      'SELECT sum(x) / count(*) FROM t;',
      "SELECT '7' / 2;",
      'SELECT $1 / 2;',
    ]) expect(rules(sql), sql).not.toContain('int-division');
    expect(rules('SELECT 7 / 2;', 'postgres')).toEqual([]);
  });

  it('crdb-internal-unsafe: the old preflight (has_role_option, kv_system_privileges) and the bundle (force_error)', () => {
    expect(at('old-multi-entity-03-preflight.sql', 'crdb-internal-unsafe')).toEqual([29, 30, 32]);
    expect(at('old-multi-entity-bundle-excerpt.sql', 'crdb-internal-unsafe')).toEqual([41]);
  });

  it('crdb-internal-unsafe: every builtin, even in a CASE branch never taken; tables off the allow-list; system tables', () => {
    expect(rules("SELECT CASE WHEN true THEN 'ok' ELSE crdb_internal.force_error('P0001', 'x')::text END;")).toEqual(['crdb-internal-unsafe']);
    expect(rules('SELECT * FROM crdb_internal.tenant_span_stats();')).toEqual(['crdb-internal-unsafe']);
    expect(rules('SELECT * FROM crdb_internal.kv_system_privileges;')).toEqual(['crdb-internal-unsafe']);
    expect(rules('SELECT * FROM system.namespace;')).toEqual(['crdb-internal-unsafe']);
    // The fixed forms: allow-listed tables, SHOW statements, pg_has_role.
    expect(rules("SELECT count(*) FROM crdb_internal.cluster_sessions WHERE application_name = 'Meiro CPS';")).toEqual([]);
    expect(rules("SELECT count(*) FROM [SHOW SYSTEM GRANTS] AS g WHERE g.grantee = current_user AND g.privilege_type = 'VIEWACTIVITY';")).toEqual([]);
    expect(rules('SELECT r.options FROM [SHOW ROLES] AS r WHERE r.username = current_user;')).toEqual([]);
    expect(rules("SELECT pg_has_role(current_user, 'admin', 'MEMBER');")).toEqual([]);
    expect(rules("SELECT crdb_internal.force_error('P0001', 'x');", 'postgres')).toEqual([]);
  });

  it('for-update-where: the old undo entity restore (FOR UPDATE OF a, no WHERE or LIMIT)', () => {
    expect(at('old-undo-04-restore-entities.sql', 'for-update-where')).toEqual([26]);
    expect(rules('SELECT a.id FROM k JOIN a ON a.id = k.id WHERE k.id IS NOT NULL FOR UPDATE OF a;')).toEqual([]);
    expect(rules('SELECT a.id FROM a ORDER BY a.id LIMIT 10 FOR UPDATE;')).toEqual([]);
    expect(rules('SELECT a.id FROM a FOR SHARE;')).toEqual(['for-update-where']);
    expect(rules('SELECT a.id FROM a FOR UPDATE;', 'postgres')).toEqual([]);
  });

  it('ddl-dml-one-transaction: a change step whose schema change follows a data statement (the runner runs only the leading ones apart)', () => {
    const old = fixture('old-multi-entity-02-create-working-tables.sql');
    // Schema changes first, then the stamp: the runner runs the schema changes on their own (schemaChanges.ts).
    expect(lint(old).filter((f) => f.rule === 'ddl-dml-one-transaction')).toEqual([]);
    const late = `${old}\nCREATE TABLE IF NOT EXISTS external_data.late (id INT8 PRIMARY KEY);\nCREATE INDEX IF NOT EXISTS late_i ON external_data.late (id);\n`;
    const findings = lint(late).filter((f) => f.rule === 'ddl-dml-one-transaction');
    expect(findings.map((f) => f.line)).toEqual([late.split('\n').length - 2]);
    expect(findings[0]!.reason).toMatch(/after a data statement .*and 1 more schema change/);
  });

  it('ddl-dml-one-transaction: explicit transactions; DDL alone, autocommitted or with the setting off is not a finding', () => {
    expect(rules('BEGIN; CREATE TABLE s.t (id INT PRIMARY KEY); INSERT INTO s.t VALUES (1); COMMIT;')).toEqual(['ddl-dml-one-transaction']);
    expect(rules('START TRANSACTION; DELETE FROM s.t WHERE id = 1; DROP TABLE s.u; END;')).toEqual(['ddl-dml-one-transaction']);
    expect(rules('CREATE TABLE s.t (id INT PRIMARY KEY); INSERT INTO s.t VALUES (1);')).toEqual([]);
    expect(rules('BEGIN; CREATE TABLE s.t (id INT PRIMARY KEY); COMMIT; INSERT INTO s.t VALUES (1);')).toEqual([]);
    expect(rules('SET autocommit_before_ddl = off; BEGIN; CREATE TABLE s.t (id INT PRIMARY KEY); INSERT INTO s.t VALUES (1); COMMIT;')).toEqual([]);
    expect(rules('BEGIN; SET LOCAL autocommit_before_ddl = false; CREATE TABLE s.t (id INT PRIMARY KEY); INSERT INTO s.t VALUES (1); COMMIT;')).toEqual([]);
    expect(rules('BEGIN; CREATE TABLE s.t (id INT PRIMARY KEY); INSERT INTO s.t VALUES (1); COMMIT; SET autocommit_before_ddl = off;')).toEqual(['ddl-dml-one-transaction']);
    // A check step is not run in a transaction; a change step is.
    const step = (kind: string) => `-- restitch:step 2/3\n-- restitch:kind ${kind}\n-- restitch:title t\n\nINSERT INTO s.u VALUES (1);\nCREATE TABLE IF NOT EXISTS s.t (id INT PRIMARY KEY);\n`;
    expect(lint(step('change'))).toEqual([expect.objectContaining({ line: 6, rule: 'ddl-dml-one-transaction' })]);
    expect(rules(step('manual'))).toEqual([]);
    expect(rules(step('change'), 'postgres')).toEqual([]);
  });

  it('copy-in-transaction: the old load step (a change step) and the old bundle (BEGIN; DELETE; COPY; COMMIT)', () => {
    expect(at('old-multi-entity-04-load-entities.sql', 'copy-in-transaction')).toEqual([19]);
    expect(at('old-multi-entity-bundle-excerpt.sql', 'copy-in-transaction')).toEqual([27]);
    // The fixed form: COPY on its own, outside BEGIN ... COMMIT, and the load step whose by-hand pipe sends no BEGIN.
    expect(rules('DELETE FROM s.t WHERE id IS NOT NULL;\nCOPY s.t (id) FROM STDIN;\na\n\\.\n')).toEqual([]);
    const fixedStep = fixture('old-multi-entity-04-load-entities.sql').replace("(echo 'BEGIN;'; cat <this file> entities.txt; printf '\\\\.\\nCOMMIT;\\n')", "(cat <this file> entities.txt; printf '\\\\.\\n')");
    expect(fixedStep).not.toContain("echo 'BEGIN;'");
    expect(lint(fixedStep).filter((f) => f.rule === 'copy-in-transaction')).toEqual([]);
    expect(rules('BEGIN;\nCOPY s.t (id) FROM STDIN;\na\n\\.\nCOMMIT;\n', 'postgres')).toEqual([]);
  });

  it('a header SQL that does not parse is a finding at its line', () => {
    expect(lint('-- restitch:step 1/2\n-- restitch:kind batch\n-- restitch:progress SELEC 1\nSELECT 1;\n')).toEqual([expect.objectContaining({ line: 3, rule: 'parse' })]);
  });
});
