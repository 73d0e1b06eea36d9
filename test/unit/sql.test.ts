import { describe, expect, it } from 'vitest';
import { loadPgQuery } from '../../src/core/where.js';
import { sqlIdent, sqlLiteral, sqlQualified } from '../../src/core/sql.js';

describe('SQL helpers', () => {
  it('quotes literals so that any text stays one literal', async () => {
    const pg = await loadPgQuery();
    for (const value of ["o'brien", "'; DROP TABLE x; --", 'back\\slash', '$$', 'naïve ✓']) {
      const tree = pg.parseSync(`SELECT ${sqlLiteral(value)} AS v`);
      const target = JSON.stringify(tree.stmts?.[0]);
      expect(tree.stmts).toHaveLength(1);
      expect(target).toContain('"sval"');
    }
    expect(sqlLiteral("o'brien")).toBe("'o''brien'");
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
  });

  it('writes a value with a backslash as an escape string, which reads the same whatever standard_conforming_strings says', () => {
    expect(sqlLiteral('x\\')).toBe("E'x\\\\'");
    expect(sqlLiteral("a\\'b")).toBe("E'a\\\\''b'");
    expect(sqlLiteral('plain')).toBe("'plain'");
  });

  it('leaves plain names bare and quotes the rest', () => {
    expect(sqlIdent('external_data')).toBe('external_data');
    expect(sqlIdent('select')).toBe('"select"');
    expect(sqlIdent('Mixed')).toBe('"Mixed"');
    expect(sqlIdent('a"b')).toBe('"a""b"');
    expect(sqlQualified('temp_table', 'rs_x_events')).toBe('temp_table.rs_x_events');
    expect(() => sqlIdent('x'.repeat(64))).toThrow(/1 to 63/);
  });
});
