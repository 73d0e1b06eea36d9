import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/core/directives.js';
import { loadPgQuery } from '../../src/core/where.js';
import { bindFloor, findFloor } from '../../src/runner/keysetFloor.js';
import { examples } from '../helpers/examples.js';

const batches = examples().flatMap((ex) =>
  ex.files
    .filter((f) => f.path.endsWith('.sql'))
    .map((f) => ({ name: `${ex.name}/${f.path}`, dialect: ex.manifest.dialect, ...parseHeader(f.content, f.path) }))
    .filter((s) => s.header.kind === 'batch'),
);

describe('keyset floor binding (CockroachDB batches)', () => {
  it('every CockroachDB batch step has a floor query and exactly one floor literal; PostgreSQL ones need none', async () => {
    const crdb = batches.filter((b) => b.dialect === 'cockroachdb');
    expect(crdb.length).toBeGreaterThan(5);
    for (const b of crdb) {
      expect(b.header.floor, b.name).toMatch(/^SELECT done\.id AS floor FROM \S+ AS done ORDER BY done\.id DESC LIMIT 1$/);
      await expect(findFloor(b.body, b.name)).resolves.toBeTruthy();
    }
    for (const b of batches.filter((x) => x.dialect === 'postgres')) expect(b.header.floor, b.name).toBeUndefined();
  });

  it('binds the highest key done in place of the literal, quoted, and nothing else changes', async () => {
    const pg = await loadPgQuery();
    for (const b of batches.filter((x) => x.dialect === 'cockroachdb')) {
      const site = await findFloor(b.body, b.name);
      const value = b.body.includes('::uuid') ? '7f000000-0000-4000-8000-000000000001' : "it's-an-id";
      const bound = bindFloor(b.body, site, value);
      expect(bound, b.name).toContain(`src.${b.body.includes('::uuid') ? 'id' : 'customer_entity_id'} > ${value.includes("'") ? "'it''s-an-id'" : `'${value}'`}`);
      expect(bound.replace(/'(?:[^']|'')*'/g, "''"), b.name).toBe(b.body.replace(/'(?:[^']|'')*'/g, "''"));
      expect(() => pg.parseSync(bound), b.name).not.toThrow();
      expect(bindFloor(b.body, site, null)).toBe(b.body);
    }
  });

  it('refuses a statement without exactly one floor', async () => {
    await expect(findFloor('SELECT 1', 'x.sql')).rejects.toThrow(/x\.sql: expected one key floor/);
  });
});
