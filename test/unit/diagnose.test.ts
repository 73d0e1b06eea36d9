import { describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { sortFindings, type Finding } from '../../src/diagnose/finding.js';
import { isJunk, junkKeys } from '../../src/diagnose/junkValues.js';
import { coverage, sampleBasis, scaled, sliceStarts } from '../../src/diagnose/keySample.js';
import { identifierRule } from '../../src/diagnose/identifierRule.js';
import { NORMALISATIONS, normaliseIdentifier, parseNormalisations, splitGroups, type Normalisation } from '../../src/diagnose/normaliseIdentifier.js';
import { entitiesFileText, reportText, suggest } from '../../src/diagnose/report.js';

describe('normaliseIdentifier', () => {
  it.each([
    ['12345', '12345'], ['12345.0', '12345'], ['012345', '12345'], ['+12345', '12345'], ['12345.', '12345'],
    ['0012345.000', '12345'], ['12345.50', '12345.5'], ['0', '0'], ['-0.0', '0'], ['000', '0'], ['-012', '-12'],
    ['  Bob@Example.COM ', 'bob@example.com'], ['\tabc\n', 'abc'], ['12a', '12a'], ['1.2.3', '1.2.3'],
  ])('%j becomes %j', (raw, normal) => expect(normaliseIdentifier(raw)).toBe(normal));

  it.each([
    // number-token: a float rendering inside a typed or composite value
    ['cust:12345.0', 'cust:12345'], ['CUST:12345.00', 'cust:12345'], ['order 12345.0 / shop 7.0', 'order 12345 / shop 7'], ['id=12345.0;src=web', 'id=12345;src=web'],
    // phone: international forms
    ['+420 123 456 789', '+420123456789'], ['+420-123-456-789', '+420123456789'], ['00420123456789', '+420123456789'],
    ['+420.123.456.789', '+420123456789'], ['+1 (555) 123-4567', '+15551234567'], [' +420123456789 ', '+420123456789'],
    // email: case-insensitive, trimmed, mailto: dropped; dots and +tags stay
    [' Jane.Doe+news@Example.COM ', 'jane.doe+news@example.com'], ['mailto:Jane@Example.com', 'jane@example.com'],
  ])('%j becomes %j', (raw, normal) => expect(normaliseIdentifier(raw)).toBe(normal));

  // Pairs that must never share a normal form: nothing proves they are one value.
  it.each([
    ['12345', '123450'], ['1.5', '15'], ['-12', '12'], ['1e3', '1000'], ['1E3', '1000'],
    ['cust:007', 'cust:7'], ['cust:12345', 'cust:123450'], ['cust:1.50', 'cust:1.5'], ['v1.0', 'v1'], ['1.0.3', '1.3'], ['cust:12345.01', 'cust:12345'], ['0012345.000', '+12345000'],
    ['123 456 789', '+420123456789'], ['123456789', '+420123456789'], ['420123456789', '+420123456789'], ['0123456789', '+123456789'],
    ['+44 (0)20 7946 0958', '+442079460958'], ['+420  123 456 789', '+420123456789'], ['+420 123 456 78', '+420123456789'],
    ['jane.doe@example.com', 'janedoe@example.com'], ['jane+news@example.com', 'jane@example.com'], ['jane@example.com', 'jane@example.co'],
  ])('keeps %j and %j apart', (a, b) => expect(normaliseIdentifier(a)).not.toBe(normaliseIdentifier(b)));

  it('is idempotent: a normal form is its own normal form, under every choice', () => {
    const values = ['cust:12345.0', '+420 123 456 789', '00420123456789', 'Jane@X.com', 'mailto:A@B.cz', '012345.0', '-0', 'A:1.0:B', '+12345', '+4201234567.0'];
    for (const chosen of [[...NORMALISATIONS], [], ...NORMALISATIONS.map((n) => [n])] as Normalisation[][]) {
      for (const v of values) expect(normaliseIdentifier(normaliseIdentifier(v, chosen), chosen), `${v} under ${chosen.join(',')}`).toBe(normaliseIdentifier(v, chosen));
    }
  });

  it('applies only the chosen normalisations', () => {
    expect(normaliseIdentifier('cust:12345.0', ['case'])).toBe('cust:12345.0');
    expect(normaliseIdentifier('CUST:12345.0', ['number-token'])).toBe('CUST:12345');
    expect(normaliseIdentifier('+420 123 456 789', ['number'])).toBe('+420 123 456 789');
    expect(normaliseIdentifier('+420123456789', ['number'])).toBe('420123456789');
    expect(normaliseIdentifier('Jane@Example.com', ['email'])).toBe('jane@example.com');
    expect(normaliseIdentifier('ABC-Def', ['email'])).toBe('ABC-Def');
    expect(normaliseIdentifier('  12345.0  ', [])).toBe('12345.0');
  });

  it('parses --normalise: a list, none, default; refuses an unknown name in one line', () => {
    expect(parseNormalisations(undefined)).toEqual([...NORMALISATIONS]);
    expect(parseNormalisations('email, Phone')).toEqual(['phone', 'email']);
    expect(parseNormalisations('none')).toEqual([]);
    expect(parseNormalisations('default')).toEqual([...NORMALISATIONS]);
    expect(() => parseNormalisations('case,dots')).toThrow("--normalise 'dots' is not a normalisation; choose from case, number, number-token, phone, email, none, default (comma-separated)");
  });
});

describe('identifierRule', () => {
  it('ignores junk and empty values and normalises the rest, with the options diagnose reads', () => {
    const rule = identifierRule(['n/a'], ['number', 'phone']);
    expect([null, undefined, 'None', ' 0 ', '', 'N/A', { a: 1 }].map(rule)).toEqual([null, null, null, null, null, null, null]);
    expect(['12345.0', 12345, '00420 123 456 789', 'Bob'].map(rule)).toEqual(['12345', '12345', '+420123456789', 'Bob']);
  });
});

describe('splitGroups', () => {
  it('groups typed ids, phone numbers and e-mails of different entities; only under the normalisation that joins them', () => {
    const pairs = [
      { entity: 'a', value: 'cust:12345' }, { entity: 'b', value: 'cust:12345.0' },
      { entity: 'c', value: '+420 123 456 789' }, { entity: 'd', value: '00420123456789' }, { entity: 'e', value: '123456789' },
      { entity: 'f', value: 'Jane@Example.com' }, { entity: 'g', value: 'jane@example.com' }, { entity: 'h', value: 'j.ane@example.com' },
    ];
    expect(splitGroups(pairs).map((g) => [g.normal, g.entities])).toEqual([['+420123456789', ['c', 'd']], ['cust:12345', ['a', 'b']], ['jane@example.com', ['f', 'g']]]);
    expect(splitGroups(pairs, ['phone']).map((g) => g.normal)).toEqual(['+420123456789']);
    expect(splitGroups(pairs, [])).toEqual([]);
  });

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
