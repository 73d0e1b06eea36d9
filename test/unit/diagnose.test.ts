import { describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { sortFindings, type Finding } from '../../src/diagnose/finding.js';
import { isJunk, junkKeys } from '../../src/diagnose/junkValues.js';
import { coverage, sampleBasis, scaled, sliceStarts } from '../../src/diagnose/keySample.js';
import { normaliseIdentifier, splitGroups } from '../../src/diagnose/normaliseIdentifier.js';
import { entitiesFileText, reportText, suggest } from '../../src/diagnose/report.js';

describe('normaliseIdentifier', () => {
  it.each([
    ['12345', '12345'], ['12345.0', '12345'], ['012345', '12345'], ['+12345', '12345'], ['12345.', '12345'],
    ['0012345.000', '12345'], ['12345.50', '12345.5'], ['0', '0'], ['-0.0', '0'], ['000', '0'], ['-012', '-12'],
    ['  Bob@Example.COM ', 'bob@example.com'], ['\tabc\n', 'abc'], ['12a', '12a'], ['1.2.3', '1.2.3'],
  ])('%j becomes %j', (raw, normal) => expect(normaliseIdentifier(raw)).toBe(normal));

  it('keeps apart what only looks alike', () => {
    expect(normaliseIdentifier('12345')).not.toBe(normaliseIdentifier('123450'));
    expect(normaliseIdentifier('1.5')).not.toBe(normaliseIdentifier('15'));
    expect(normaliseIdentifier('-12')).not.toBe(normaliseIdentifier('12'));
  });
});

describe('splitGroups', () => {
  it('groups values equal after normalisation that different entities hold', () => {
    const groups = splitGroups([
      { entity: 'b', value: '12345.0' }, { entity: 'a', value: '12345' }, { entity: 'c', value: '012345' },
      { entity: 'd', value: 'X' }, { entity: 'd', value: 'x' }, // one entity: not a split
      { entity: 'e', value: 'y' }, { entity: 'f', value: 'y' }, // one value: not a normalisation split
    ]);
    expect(groups).toEqual([{
      normal: '12345',
      holders: [{ value: '012345', entities: ['c'] }, { value: '12345', entities: ['a'] }, { value: '12345.0', entities: ['b'] }],
      entities: ['a', 'b', 'c'],
    }]);
  });
});

describe('junk values', () => {
  const keys = junkKeys(['n.a.']);
  it.each(['None', 'NONE', ' null ', 'NULL', '0', '-1', '', '   ', '\t', 'nan', 'NaN', 'undefined', 'N/A', 'unknown', 'n.a.'])('%j is junk', (v) => expect(isJunk(v, keys)).toBe(true));
  it.each(['Nonesuch', '00', '1', 'a1', 'unknown-1'])('%j is not', (v) => expect(isJunk(v, keys)).toBe(false));
});

const finding = (over: Partial<Finding>): Finding => ({ kind: 'junk-value', severity: 'high', title: 't', entities: [], evidence: {}, examples: [], ...over });

describe('report', () => {
  const findings = sortFindings([
    finding({ kind: 'empty-identifiers', severity: 'info', title: 'events with an empty identifier array', evidence: { events: 4 } }),
    finding({ kind: 'split-customer', severity: 'medium', title: "split customer: '12345', '12345.0' held by 2 entities", entities: ['e2', 'e4'], evidence: { entities: 2, values: 2 } }),
    finding({ title: "junk identifier value 'None'", entities: ['e1'], evidence: { events: 120_000, entities: 1 }, examples: ['e1'] }),
    finding({ kind: 'giant-entity', title: 'giant entity e1', entities: ['e1'], evidence: { events: 12_000, identifiers: 3 }, capped: true }),
  ]);

  it('orders worst first: severity, then the largest count', () => {
    expect(findings.map((f) => f.title)).toEqual(["junk identifier value 'None'", 'giant entity e1', "split customer: '12345', '12345.0' held by 2 entities", 'events with an empty identifier array']);
  });

  it('writes an entities file generate takes: a comment per finding, each id once', async () => {
    const text = entitiesFileText(findings);
    expect(text).toBe([
      '# restitch diagnose: entities to reset, worst finding first',
      "# high: junk identifier value 'None' (120,000 events, 1 entities)",
      'e1',
      '# high: giant entity e1 (at least 12,000 events, 3 identifiers); 1 listed above',
      "# medium: split customer: '12345', '12345.0' held by 2 entities (2 entities, 2 values)",
      'e2',
      'e4',
      '',
    ].join('\n'));
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'x', entitiesFile: { path: 'f', content: text } });
    expect(inputs.entities.list()).toEqual(['e1', 'e2', 'e4']);
  });

  it('suggests the exact generate command, quoting what the shell would split', () => {
    expect(suggest(findings, 'cockroachdb', 'inc-1', 'my entities.txt').command).toBe(
      "restitch generate multi-entity --dialect cockroachdb --incident inc-1 --entities-file 'my entities.txt'",
    );
    expect(suggest(findings.slice(3), 'postgres', 'inc-1', 'f').command).toBeNull();
  });

  it('prints a table, worst first, then the next command', () => {
    const text = reportText(findings, suggest(findings, 'postgres', 'inc-1', 'ids.txt'));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SEVERITY +FINDING +EVIDENCE +EXAMPLES$/);
    expect(lines[1]).toMatch(/^HIGH +junk identifier value 'None' +120,000 events, 1 entities +e1$/);
    expect(lines[4]).toMatch(/^INFO +events with an empty identifier array +4 events$/);
    expect(text).toContain('3 finding(s) call for a reset of 3 entities. Next:\n  restitch generate multi-entity --dialect postgres --incident inc-1 --entities-file ids.txt\n');
    expect(reportText([], suggest([], 'postgres', 'i', 'f'))).toBe('restitch diagnose: nothing found\n');
    expect(reportText([], suggest([], 'postgres', 'i', 'f'), ['pitfalls'])).toBe(
      '--max-seconds ran out: not looked for: pitfalls; the findings are those found so far.\nrestitch diagnose: nothing found so far\n',
    );
  });
});

describe('key-order sample', () => {
  const starts = sliceStarts(4);
  it('cuts the UUID space into equal slices', () => {
    expect(starts).toEqual(['00000000-0000-0000-0000-000000000000', '40000000-0000-0000-0000-000000000000', '80000000-0000-0000-0000-000000000000', 'c0000000-0000-0000-0000-000000000000']);
  });

  it('is the whole table when the blocks meet or reach its end: exact', () => {
    const c = coverage([
      { start: starts[0]!, keys: ['10000000-0000-0000-0000-000000000000', '50000000-0000-0000-0000-000000000000'] },
      { start: starts[1]!, keys: ['50000000-0000-0000-0000-000000000000', '90000000-0000-0000-0000-000000000000'] },
      { start: starts[2]!, keys: ['90000000-0000-0000-0000-000000000000'] },
    ], 2);
    expect(c).toEqual({ rows: 3, complete: true, share: 1, estimatedTotal: 3 });
    expect(scaled(2, c)).toBe(2);
  });

  it('scales by the covered share of the key space when the blocks leave gaps: an estimate', () => {
    // Each full block of 2 keys covers a sixteenth of the space from its slice start.
    const blocks = starts.map((start) => {
      const top = start[0]!;
      return { start, keys: [`${top}1000000-0000-0000-0000-000000000000`, `${top}fffffff-ffff-ffff-ffff-ffffffffffff`] };
    });
    const c = coverage(blocks, 2);
    expect(c.complete).toBe(false);
    expect(c.share).toBeCloseTo(4 / 16, 9);
    expect(c.estimatedTotal).toBe(32);
    expect(scaled(3, c)).toBe(12);
    expect(sampleBasis(c, 'events')).toBe('estimate from a sample of 8 of about 32 events');
  });
});
