import { describe, expect, it } from 'vitest';
import { formatHeader, parseDuration, parseHeader } from '../../src/core/directives.js';
import type { StepHeader } from '../../src/core/types.js';

const header: StepHeader = {
  number: 4,
  total: 14,
  kind: 'wait',
  title: 'Wait until the clean-up routine has deleted the entities',
  intervalSeconds: 15,
  timeoutSeconds: 1800,
  why: 'A long explanation that certainly needs more than one line of comment to be written out in full, so that wrapping is exercised.',
  expect: 'ok = true.',
  notes: ['By hand: run it again.'],
};

describe('step header directives', () => {
  it('round-trips every field through format and parse', () => {
    const text = `${formatHeader(header)}SELECT true AS ok;\n`;
    const { header: parsed, body } = parseHeader(text);
    expect(parsed).toEqual(header);
    expect(body).toBe('SELECT true AS ok;\n');
  });

  it('round-trips a holding wait', () => {
    const holding: StepHeader = { ...header, timeoutSeconds: 120, holdSeconds: 120 };
    expect(parseHeader(`${formatHeader(holding)}SELECT true AS ok;\n`).header).toEqual(holding);
  });

  it('keeps every header line a SQL comment', () => {
    const lines = formatHeader({ ...header, kind: 'batch', progress: 'SELECT 1 AS done, 2 AS total', priority: 'high' }).trimEnd().split('\n');
    for (const line of lines) expect(line.startsWith('--')).toBe(true);
  });

  it.each([
    ['-- restitch:step 1/2\n-- restitch:kind magic\n-- restitch:title x\n', /unknown 'restitch:kind'/],
    ['-- restitch:step 1/2\n-- restitch:kind check\n', /missing 'restitch:title'/],
    ['-- restitch:step x\n-- restitch:kind check\n-- restitch:title t\n', /malformed 'restitch:step/],
    ['-- restitch:step 1/2\n-- restitch:kind wait\n-- restitch:title t\n', /needs 'restitch:interval'/],
    ['-- restitch:step 1/2\n-- restitch:step 1/2\n', /appears twice/],
    ['-- restitch:colour red\n', /unknown directive/],
    ['-- restitch:step 1/2\n-- restitch:kind wait\n-- restitch:title t\n-- restitch:interval soon\n-- restitch:timeout 1m\n', /must look like 15s/],
    ['-- restitch:step 1/2\n-- restitch:kind check\n-- restitch:title t\n-- restitch:hold 2m\n', /'restitch:hold' belongs on a wait step/],
    ['-- restitch:step 1/2\n-- restitch:kind wait\n-- restitch:title t\n-- restitch:interval 15s\n-- restitch:timeout 1m\n-- restitch:hold 2m\n', /at most its 'restitch:timeout'/],
  ])('refuses a malformed header (%#)', (text, message) => {
    expect(() => parseHeader(text, 'x.sql')).toThrow(message);
  });

  it('parses durations', () => {
    expect(parseDuration('15s')).toBe(15);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('24h')).toBe(86400);
    expect(parseDuration('5 minutes')).toBeNull();
  });
});
