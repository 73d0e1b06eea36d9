import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/core/directives.js';
import { loadPgQuery } from '../../src/core/where.js';
import { splitRange } from '../../src/runner/batch/keyRanges.js';
import { addJournal, journalSlot, setSlot, slotValues } from '../../src/runner/batch/slots.js';
import { examples } from '../helpers/examples.js';

const batches = examples().flatMap((ex) =>
  ex.files
    .filter((f) => f.path.endsWith('.sql'))
    .map((f) => ({ name: `${ex.name}/${f.path}`, dialect: ex.manifest.dialect, batchSize: ex.manifest.inputs.batchSize, ...parseHeader(f.content, f.path) }))
    .filter((s) => s.header.kind === 'batch'),
);

/** The statement with every literal blanked, to compare what is not a value. */
const shape = (sql: string) => sql.replace(/'(?:[^']|'')*'/g, "''").replace(/-?\b\d+\b/g, '0');

describe('values the runner changes in a batch statement (no parser)', () => {
  it('every batch step marks its one batch size and its journal; CockroachDB ones one floor (with its query), PostgreSQL ones none', () => {
    expect(batches.length).toBeGreaterThan(10);
    for (const b of batches) {
      expect(slotValues(b.body, 'batch-size'), b.name).toEqual([String(b.batchSize)]);
      expect(journalSlot(b.body), b.name).not.toBeNull();
      const floors = slotValues(b.body, 'floor');
      if (b.dialect === 'cockroachdb' && slotValues(b.body, 'identifier').length > 0) {
        // A walk over the identifiers of the entities (src/core/identifierWalk.ts): its floor query names both.
        expect(floors, b.name).toHaveLength(1);
        expect(slotValues(b.body, 'identifier'), b.name).toEqual(["''", "''"]);
        expect(b.header.floor, b.name).toMatch(/^SELECT w\.identifier, coalesce\(.*\) AS floor FROM .* ORDER BY w\.identifier LIMIT 1$/);
      } else if (b.dialect === 'cockroachdb') {
        expect(floors, b.name).toHaveLength(1);
        expect(b.header.floor, b.name).toMatch(/^SELECT done\.id AS floor FROM \S+ AS done (WHERE done\.id > \$1 AND done\.id <= \$2 )?ORDER BY done\.id DESC LIMIT 1$/);
      } else {
        expect(floors, b.name).toEqual([]);
        expect(b.header.floor, b.name).toBeUndefined();
      }
      // Ranged walks (the event reset and restore) carry their range, and only they.
      expect(slotValues(b.body, 'range-end').length > 0, b.name).toBe(b.header.ranges !== undefined);
    }
  });

  it('changes only the marked values, quoted, and the statement still parses', async () => {
    const pg = await loadPgQuery();
    for (const b of batches) {
      let bound = setSlot(b.body, 'batch-size', 777, b.name);
      expect(bound.replace('LIMIT 777 ', `LIMIT ${b.batchSize} `), b.name).toBe(b.body);
      if (b.dialect === 'cockroachdb') {
        const value = b.body.includes('::uuid -- restitch:floor') ? '7f000000-0000-4000-8000-000000000001' : "it's-an-id";
        bound = setSlot(bound, 'floor', value, b.name);
        expect(bound, b.name).toContain(`> ${value.includes("'") ? "'it''s-an-id'" : `'${value}'::uuid`} -- restitch:floor`);
        if (slotValues(bound, 'identifier').length > 0) {
          bound = setSlot(bound, 'identifier', "it's {a,b}", b.name);
          expect(slotValues(bound, 'identifier'), b.name).toEqual(["'it''s {a,b}'", "'it''s {a,b}'"]);
        }
      }
      if (b.header.ranges) {
        const end = b.dialect === 'cockroachdb' ? '80000000-0000-0000-0000-000000000000' : '4096';
        bound = setSlot(bound, 'range-end', end, b.name);
        expect(slotValues(bound, 'range-end').every((v) => v.includes(end)), b.name).toBe(true);
      }
      expect(shape(bound), b.name).toBe(shape(b.body));
      expect(() => pg.parseSync(bound), b.name).not.toThrow();
      const journalled = addJournal(bound, 'restitch_journal AS (SELECT 1)');
      expect(() => pg.parseSync(journalled), b.name).not.toThrow();
    }
  });

  it('refuses a statement without the slot, and a value that is not a number where a number stands', () => {
    expect(() => setSlot('SELECT 1', 'batch-size', 5, 'x.sql')).toThrow(/x\.sql: no '-- restitch:batch-size' value/);
    expect(() => setSlot('SELECT 1\nLIMIT 5 -- restitch:batch-size', 'batch-size', '5; DROP TABLE x', 'x.sql')).toThrow(/not a whole number/);
  });

  it('cuts a walk into the same ranges every time, covering every key once', () => {
    const r = splitRange('65537', '6553700', 64);
    expect(r).toHaveLength(64);
    expect(r[0]!.after).toBeNull();
    expect(r.at(-1)!.upTo).toBe('6553700');
    for (let i = 1; i < r.length; i++) expect(r[i]!.after).toBe(r[i - 1]!.upTo);
    expect(splitRange('10', '12', 64).map((x) => x.upTo)).toEqual(['10', '11', '12']);
    const u = splitRange('00000000-0000-4000-8000-000000000001', 'ffffffff-0000-4000-8000-000000000000', 4);
    expect(u.map((x) => x.upTo)).toEqual(['3fffffff-c000-4000-8000-000000000000', '7fffffff-8000-4000-8000-000000000000', 'bfffffff-4000-4000-8000-000000000000', 'ffffffff-0000-4000-8000-000000000000']);
    expect(splitRange('5', '4')).toEqual([]);
    // PostgreSQL positions (ctids) order as block * 65536 + line; ranges stay valid ctids.
    const t = splitRange('(0,1)', '(1000,7)', 4);
    expect(t.map((x) => x.upTo)).toEqual(['(250,1)', '(500,3)', '(750,5)', '(1000,7)']);
    expect(t.every((x) => Number(/^\((\d+),(\d+)\)$/.exec(x.upTo)?.[2]) < 65536)).toBe(true);
    expect(splitRange('(3,2)', '(3,1)')).toEqual([]);
  });
});
