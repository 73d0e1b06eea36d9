import { describe, expect, it } from 'vitest';
import type { Attempt, IncidentRecord } from '../../src/report/incidentRecord.js';
import { recordMarkdown } from '../../src/report/recordMarkdown.js';
import { timelineSvg } from '../../src/report/timelineSvg.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const attempt = (step: number, n: number, from: number, to: number, status = 'done'): Attempt => ({
  runbook: 'inc<1>', checksum: 'c', step, attempt: n, status, startedAt: at(from), endedAt: at(to), rows: 10, batches: 0, error: null, confirmedBy: null, dbUser: 'u', osUser: 'o', host: 'h', runId: 'r',
});
const record: IncidentRecord = {
  incident: 'inc<1>', scenario: 'multi-entity', dialect: 'postgres', workSchema: 'w', source: 'history',
  steps: [
    { runbook: 'inc<1>', number: 1, kind: 'manual', title: 'Disable CPS' },
    { runbook: 'inc<1>', number: 2, kind: 'batch', title: 'Reset "events" & more' },
  ],
  attempts: [attempt(1, 1, 0, 1), attempt(2, 1, 2, 5, 'failed'), attempt(2, 2, 6, 9)],
  events: [],
  pauses: [{ runbook: 'inc<1>', runId: 'r', step: 2, startedAt: at(3), endedAt: at(4), reason: 'throttle 9 > 1' }],
  batches: [0, 1, 2].map((i) => ({ runbook: 'inc<1>', runId: 'r', step: 2, startedAt: at(6 + i), endedAt: at(7 + i), rows: 100 * (i + 1) })),
};

describe('the timeline SVG', () => {
  it('has a bar per attempt, a point per batch, the pause shaded and a label per step, all escaped', () => {
    const svg = timelineSvg(record);
    expect(svg.match(/<rect class="bar"/g)?.length).toBe(3);
    expect(svg.match(/<circle class="point"/g)?.length).toBe(3);
    expect(svg.match(/<rect class="pause"/g)?.length).toBe(1);
    expect([...svg.matchAll(/<text class="label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['1 Disable CPS', '2 Reset &quot;events&quot; &amp; more', 'batch throughput (rows/s)']);
    expect(svg).toContain('Incident inc&lt;1&gt;');
    expect(svg).not.toMatch(/inc<1>/);
    // The fastest batch (300 rows in 1 s) is the panel's top.
    expect(svg).toMatch(/>300<\/text>/);
    expect(svg).toContain('data-status="failed"');
  });

  it('the markdown lists every attempt and escapes table cells', () => {
    const md = recordMarkdown({ ...record, attempts: [...record.attempts, { ...attempt(2, 3, 10, 11), error: 'a | b\nc' }] }, 'x.svg', at(20));
    expect(md).toContain('![Timeline: step bars, batch throughput, pauses shaded](x.svg)');
    expect(md.match(/\n\| 2 \| batch \|/g)?.length).toBe(3);
    expect(md).toContain('- step 2, attempt 3: a | b c');
    expect(md).toContain('| inc<1> | 2 | 2026-01-01 00:00:03Z | 2026-01-01 00:00:04Z | 1.0 s | throttle 9 > 1 |');
  });
});
