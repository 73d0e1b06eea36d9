import { describe, expect, it } from 'vitest';
import { format } from 'sql-formatter';
import { forPostgresParser, getDialect } from '../../src/core/dialects/index.js';
import { parseHeader } from '../../src/core/directives.js';
import { loadPgQuery } from '../../src/core/where.js';
import { SCENARIOS } from '../../src/core/scenarios/index.js';
import { runCli } from '../helpers/cli.js';
import { examples } from '../helpers/examples.js';

const all = examples();
const sqlFiles = all.flatMap((ex) =>
  ex.files.filter((f) => f.path.endsWith('.sql')).map((f) => ({ example: ex.name, dialect: ex.manifest.dialect, ...f })),
);

/** The file with the dialect's foreign clauses set aside, ready for PostgreSQL's parser. */
const forParser = (dialect: string, sql: string): string => forPostgresParser(getDialect(dialect), sql);

/** A parse tree without source positions, to compare meaning. */
function shape(tree: unknown): string {
  return JSON.stringify(tree, (key, value) => (['location', 'stmt_location', 'stmt_len', 'rexpr_list_start', 'rexpr_list_end', 'list_start', 'list_end'].includes(key) ? undefined : value));
}

function walk(node: unknown, visit: (key: string, value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) visit(k, v as Record<string, unknown>);
      walk(v, visit);
    }
  }
}

describe('checked-in examples', () => {
  it('include every supported scenario x dialect pair', () => {
    const have = new Set(all.map((e) => `${e.manifest.scenario}/${e.manifest.dialect}`));
    for (const s of SCENARIOS) for (const d of s.dialects) expect(have).toContain(`${s.name}/${d}`);
  });

  it('are fresh: restitch check finds no drift', { timeout: 60_000 }, () => {
    const r = runCli(['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^ok /gm)?.length).toBe(all.length);
  });

  it('parse with libpg-query, file by file', async () => {
    const pg = await loadPgQuery();
    for (const f of sqlFiles) {
      expect(() => pg.parseSync(forParser(f.dialect, f.content)), `${f.example}/${f.path}`).not.toThrow();
    }
  });

  it('mean the same before and after sql-formatter', async () => {
    const pg = await loadPgQuery();
    for (const f of sqlFiles) {
      const { body } = parseHeader(f.content, f.path);
      const src = forParser(f.dialect, body);
      const again = format(src, { language: 'postgresql', tabWidth: 2, linesBetweenQueries: 1, expressionWidth: 100 });
      expect(shape(pg.parseSync(again)), `${f.example}/${f.path}`).toBe(shape(pg.parseSync(src)));
    }
  });

  it('filter every UPDATE and DELETE (CockroachDB sql_safe_updates), and never DELETE ... LIMIT', async () => {
    const pg = await loadPgQuery();
    let writes = 0;
    for (const f of sqlFiles) {
      walk(pg.parseSync(forParser(f.dialect, f.content)), (key, value) => {
        if (key === 'UpdateStmt' || key === 'DeleteStmt') {
          writes++;
          expect(value.whereClause, `${f.example}/${f.path}: ${key} without WHERE`).toBeDefined();
        }
      });
      expect(f.content).not.toMatch(/DELETE[^;]*\bLIMIT\b/);
    }
    expect(writes).toBeGreaterThan(20);
  });

  it('give every check and wait step exactly one query with an ok column', async () => {
    const pg = await loadPgQuery();
    for (const f of sqlFiles) {
      const { header, body } = parseHeader(f.content, f.path);
      if (header.kind !== 'check' && header.kind !== 'wait') continue;
      const stmts = pg.parseSync(forParser(f.dialect, body)).stmts ?? [];
      expect(stmts, `${f.example}/${f.path}`).toHaveLength(1);
      expect(body).toMatch(/ AS ok,/);
    }
  });

  it('bundle into one script that parses', { timeout: 60_000 }, async () => {
    const pg = await loadPgQuery();
    for (const ex of all) {
      for (const undo of [false, true]) {
        const r = runCli(['bundle', ex.dir, ...(undo ? ['--undo'] : [])]);
        expect(r.code, r.stderr).toBe(0);
        expect(() => pg.parseSync(forParser(ex.manifest.dialect, r.stdout)), ex.name).not.toThrow();
      }
    }
  });
});
