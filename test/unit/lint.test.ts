import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleRunbook } from '../../src/core/bundle.js';
import { loadPgQuery } from '../../src/core/where.js';
import { lintSql } from '../../src/lint/lintSql.js';
import { RULES } from '../../src/lint/rules.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { examples } from '../helpers/examples.js';
import { tempDir } from '../helpers/tempDir.js';

const pg = await loadPgQuery();
const lint = (sql: string, dialect: 'cockroachdb' | 'postgres' = 'cockroachdb') => lintSql(sql, dialect, pg);
const rules = (sql: string, dialect: 'cockroachdb' | 'postgres' = 'cockroachdb') => lint(sql, dialect).map((f) => f.rule);
const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'lint', name), 'utf8');

describe('lint rules', () => {
  it('each rule cites its source', () => {
    for (const rule of RULES) expect(rule.source, rule.id).toMatch(/https:\/\/|cockroachdb\/cockroach /);
  });

  it('console meta-commands at the start of a line are the console\'s: neither findings nor parsed; line numbers stay the file\'s', () => {
    const sql = [
      '\\set ON_ERROR_STOP on',
      '  \\echo naïve café ☕',
      "\\copy t FROM 'x.csv' WITH (FORMAT csv)",
      'SELECT 1;',
      "SELECT 'a",
      "\\set inside a string stays';",
      'SELECT $$',
      '\\inside a dollar quote$$;',
      '/* \\inside a comment */ UPDATE t SET x = 1;',
      '\\set errexit',
    ].join('\n');
    // The only finding is the UPDATE without WHERE, on its own line: the lines in quotes and
    // comments were parsed as what they are, the meta-commands were not parsed at all.
    expect(lint(sql, 'postgres').map((f) => [f.line, f.rule])).toEqual([[9, 'update-delete-where']]);
    expect(rules('\\set ON_ERROR_STOP on\nSELECT 1;\n', 'postgres')).toEqual([]);
    expect(rules('SELECT 1 \\gx\n', 'postgres')).toEqual(['parse']);
  });

  it('aost-top-level-select: AS OF SYSTEM TIME on a UNION ALL branch (the old full-reset scope check)', () => {
    const findings = lint(fixture('old-full-reset-04-scope.sql'));
    expect(findings.map((f) => [f.line, f.rule])).toEqual([
      [14, 'aost-top-level-select'],
      [21, 'aost-top-level-select'],
    ]);
  });

  it('aost-top-level-select: legal on the outer SELECT and in BEGIN, not in a subquery, a CTE or a change', () => {
    expect(rules('SELECT * FROM (SELECT 1 FROM a UNION ALL SELECT 2 FROM b) AS s AS OF SYSTEM TIME follower_read_timestamp();')).toEqual([]);
    expect(rules("SELECT x FROM a AS OF SYSTEM TIME '-10s' WHERE x > 1;")).toEqual([]);
    expect(rules("BEGIN AS OF SYSTEM TIME '-5s'; SELECT 1; COMMIT;")).toEqual([]);
    expect(rules("SELECT * FROM (SELECT x FROM a AS OF SYSTEM TIME '-10s') AS s;")).toEqual(['aost-top-level-select']);
    expect(rules("WITH c AS (SELECT x FROM a AS OF SYSTEM TIME '-1s') SELECT * FROM c;")).toEqual(['aost-top-level-select']);
    expect(rules("INSERT INTO b SELECT x FROM a AS OF SYSTEM TIME '-1s';")).toEqual(['aost-top-level-select']);
    expect(rules("SELECT x FROM a AS OF SYSTEM TIME '-1s' WHERE x > 1 FOR UPDATE;")).toEqual(['aost-top-level-select']);
    expect(rules("SELECT x FROM a AS OF SYSTEM TIME '-1s';", 'postgres')).toEqual(['aost-postgres']);
  });

  it('dml-uncorrelated-subquery: the old batch shape (= ANY (ARRAY(SELECT ...)) and a coalesce((SELECT ...)) floor)', () => {
    const findings = lint(fixture('old-full-reset-12-reset-events.sql'));
    expect(findings.map((f) => f.rule)).toEqual(['dml-uncorrelated-subquery', 'dml-uncorrelated-subquery']);
    expect(findings.map((f) => f.line)).toEqual([19, 29]);
  });

  it('dml-uncorrelated-subquery: IN (SELECT ...) and scalar subqueries fire; joins, correlated EXISTS and reads do not', () => {
    expect(rules('DELETE FROM t WHERE t.id IN (SELECT d.id FROM d);')).toEqual(['dml-uncorrelated-subquery']);
    expect(rules('UPDATE t SET a = 1 WHERE t.k > (SELECT max(d.k) FROM d);')).toEqual(['dml-uncorrelated-subquery']);
    expect(rules('UPDATE t SET a = 1 FROM d WHERE t.id = d.id;')).toEqual([]);
    expect(rules('UPDATE t SET a = 1 WHERE EXISTS (SELECT 1 FROM d WHERE d.id = t.id);')).toEqual([]);
    expect(rules('SELECT * FROM t WHERE t.id = ANY (ARRAY(SELECT d.id FROM d));')).toEqual([]);
    expect(rules('UPDATE t SET a = 1 WHERE t.id = ANY (ARRAY(SELECT d.id FROM d));', 'postgres')).toEqual([]);
  });

  it('update-delete-where: an UPDATE or DELETE without WHERE, also inside a CTE', () => {
    expect(rules('UPDATE t SET a = 1;', 'postgres')).toEqual(['update-delete-where']);
    expect(rules('WITH x AS (DELETE FROM t RETURNING id) SELECT count(*) FROM x;')).toEqual(['update-delete-where']);
    expect(rules('DELETE FROM t WHERE t.a IS NULL;')).toEqual([]);
  });

  it('one-modification-per-table: a statement that changes one table twice', () => {
    const twice = 'WITH a AS (UPDATE s.t SET x = 1 WHERE id = 1 RETURNING id) INSERT INTO s.t (id) SELECT id FROM a;';
    expect(rules(twice)).toEqual(['one-modification-per-table']);
    expect(rules(twice, 'postgres')).toEqual(['one-modification-per-table']);
    expect(rules('WITH a AS (UPDATE s.t SET x = 1 WHERE id = 1 RETURNING id) INSERT INTO s.u (id) SELECT id FROM a;')).toEqual([]);
  });

  it('pg-session-functions: pg_terminate_backend, pg_cancel_backend and pg_stat_activity on CockroachDB only', () => {
    const sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'x';";
    expect(rules(sql)).toEqual(['pg-session-functions', 'pg-session-functions']);
    expect(rules('SELECT pg_cancel_backend(42);')).toEqual(['pg-session-functions']);
    expect(rules(sql, 'postgres')).toEqual([]);
  });

  it('reports the line of the finding, and a statement that does not parse', () => {
    expect(lint('SELECT 1;\n\n-- comment\nUPDATE t\nSET a = 1;', 'postgres')).toEqual([
      expect.objectContaining({ line: 4, rule: 'update-delete-where' }),
    ]);
    expect(lint('SELECT 1;\nSELEC 2;', 'postgres')).toEqual([expect.objectContaining({ line: 2, rule: 'parse' })]);
  });
});

describe('lint over the examples', () => {
  const all = examples();

  it('every example file is clean for its dialect', () => {
    for (const ex of all) {
      for (const f of ex.files.filter((file) => file.path.endsWith('.sql'))) {
        const key = `${ex.name}/${f.path}`;
        expect(lint(f.content, ex.manifest.dialect as 'cockroachdb' | 'postgres'), key).toEqual([]);
      }
    }
  });

  it('every bundle (forward and undo) is clean: checks that read the past keep AS OF SYSTEM TIME on top', () => {
    for (const ex of all) {
      for (const undo of [false, true]) {
        const bundle = bundleRunbook(ex.manifest, ex.files, undo);
        const key = `${ex.name} bundle${undo ? ' --undo' : ''}`;
        expect(lint(bundle, ex.manifest.dialect as 'cockroachdb' | 'postgres'), key).toEqual([]);
      }
    }
  });
});

describe('restitch lint (CLI)', () => {
  it('exits 0 on clean runbooks, the dialect read from their manifests', { timeout: 60_000 }, () => {
    const r = runCli(['lint', 'generated/examples/full-reset-postgres', 'generated/examples/multi-entity-postgres/13-reset-events.sql']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 1 with file:line: rule: reason per finding', { timeout: 60_000 }, () => {
    const file = join('test', 'fixtures', 'lint', 'old-full-reset-04-scope.sql');
    const r = runCli(['lint', '--dialect', 'cockroachdb', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:14: aost-top-level-select: AS OF SYSTEM TIME `));
  });

  it('exits 2 without a dialect outside a runbook, for an unknown dialect and for a missing file', { timeout: 60_000 }, () => {
    const dir = tempDir('lint');
    const file = join(dir, 'hand.sql');
    writeFileSync(file, 'UPDATE t SET a = 1;\n');
    for (const args of [['lint', file], ['lint', '--dialect', 'oracle', file], ['lint', '--dialect', 'postgres', join(dir, 'nope.sql')], ['lint']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      if (args.length > 1) expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(runCli(['lint', '--dialect', 'postgres', file]).stdout).toBe(`${file}:1: update-delete-where: UPDATE/DELETE without WHERE changes every row (cockroach sql refuses it with sql_safe_updates)\n`);
  });
});
