import { describe, expect, it } from 'vitest';
import { compare, figures, type CopyState, type EventState } from '../../src/rehearse/copyState.js';
import { rehearsalPasses, type Rehearsal } from '../../src/rehearse/rehearse.js';
import { rehearsalJson, rehearsalText } from '../../src/rehearse/report.js';

const state = (events: Record<string, Partial<EventState> & { entities: string[] }>, identifiers: Record<string, number>): CopyState => ({
  events: new Map(Object.entries(events).map(([id, e]) => [id, { identified: true, pending: false, ...e }])),
  identifiers: new Map(Object.entries(identifiers)),
});

/** Glued G (g1..g3, one event with the junk value) and the split pair S1/S2. */
const BEFORE = state(
  { g1: { entities: ['G'] }, g2: { entities: ['G'] }, g3: { entities: ['G'] }, junk: { entities: ['G'] }, s1: { entities: ['S1'] }, s2: { entities: ['S2'] } },
  { G: 3, S1: 1, S2: 1 },
);

describe('compare', () => {
  it('counts the entities that came apart and those merged, and the events left without an identifier', () => {
    const after = state(
      { g1: { entities: ['A'] }, g2: { entities: ['B'] }, g3: { entities: ['B'] }, junk: { entities: [], identified: false }, s1: { entities: ['S'] }, s2: { entities: ['S'] } },
      { A: 1, B: 1, S: 1 },
    );
    expect(compare(BEFORE, after)).toEqual({ merged: 1, split: 1, unstitchedEvents: 1, orphanedEvents: 0, orphanExamples: [] });
    expect(figures(BEFORE)).toEqual({ entities: 3, largestEntityEvents: 4, largestEntityIdentifiers: 3 });
    expect(figures(after)).toEqual({ entities: 3, largestEntityEvents: 2, largestEntityIdentifiers: 1 });
  });

  it('counts as orphaned an event gone from the copy, one still waiting, and one with an identifier but no entity', () => {
    const after = state(
      { g1: { entities: ['A'] }, g2: { entities: [], pending: true }, g3: { entities: [] }, junk: { entities: [], identified: false }, s1: { entities: ['S'] } },
      { A: 1, S: 1 },
    );
    const change = compare(BEFORE, after);
    expect([change.orphanedEvents, change.orphanExamples, change.unstitchedEvents]).toEqual([3, ['g2', 'g3', 's2'], 1]);
  });
});

const rehearsal = (over: Partial<Rehearsal>): Rehearsal => ({
  before: { entities: 3, largestEntityEvents: 4, largestEntityIdentifiers: 3 },
  after: { entities: 3, largestEntityEvents: 2, largestEntityIdentifiers: 1 },
  merged: 1, split: 1, unstitchedEvents: 1, orphanedEvents: 0, orphanExamples: [], giants: [], missing: [], copiedEvents: 6,
  runbookExitCode: 0, runbookMessage: null, steps: [{ step: 'load the copy', ms: 12, production: null }, { step: '13. Reset the events', ms: 12, runbook: true, production: 1200 }],
  extrapolation: { factor: 100, assumption: 'linear' }, ...over,
});

describe('the rehearsal report', () => {
  it('passes only when the runbook finished, no entity is left giant and no event is lost', () => {
    expect(rehearsalPasses(rehearsal({}))).toBe(true);
    expect(rehearsalPasses(rehearsal({ orphanedEvents: 1 }))).toBe(false);
    expect(rehearsalPasses(rehearsal({ giants: [{ entity: 'G', events: 10_000, identifiers: 3 }] }))).toBe(false);
    expect(rehearsalPasses(rehearsal({ runbookExitCode: 1 }))).toBe(false);
  });

  it('JSON: the six documented keys first, the before/after figures exactly', () => {
    const json = JSON.parse(rehearsalJson(rehearsal({}))) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 6)).toEqual(['before', 'after', 'merged', 'split', 'unstitchedEvents', 'orphanedEvents']);
    expect(Object.keys(json.before as object)).toEqual(['entities', 'largestEntityEvents', 'largestEntityIdentifiers']);
    expect(json.passed).toBe(true);
  });

  it('the table says why it failed', () => {
    const text = rehearsalText(rehearsal({ orphanedEvents: 2, orphanExamples: ['e1', 'e2'], giants: [{ entity: 'G', events: 12_000, identifiers: 3 }] }));
    expect(text).toMatch(/^events orphaned \(lost\): 2, e\.g\. e1 e2$/m);
    expect(text).toMatch(/^load the copy +12 ms +-$/m);
    expect(text).toMatch(/^13\. Reset the events +12 ms +~1\.2 s$/m);
    expect(text).toContain('FAILED: entity G is still giant under the rule (12,000 events, 3 identifiers)\nFAILED: the rule loses 2 events\n');
    expect(text).not.toContain('PASSED');
  });
});
