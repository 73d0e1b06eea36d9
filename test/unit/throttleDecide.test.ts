import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { terminalUi } from '../../src/cli/terminalUi.js';
import { decide, maxPauseMessage, pauseLine } from '../../src/runner/throttle/decide.js';
import { expectedMs, runbookLine } from '../../src/runner/record/runbookEta.js';
import type { JournalRow } from '../../src/runner/journal.js';
import type { RunStep } from '../../src/runner/types.js';

const none = { readings: [], pauseFile: null, stopFile: null };

describe('throttle decisions', () => {
  it('goes when nothing holds it, and at the limit itself', () => {
    expect(decide(none, null)).toEqual({ kind: 'go' });
    expect(decide({ ...none, readings: [{ source: 'query', value: 20_000 }] }, 20_000)).toEqual({ kind: 'go' });
  });

  it('waits above the limit, on a failing reading, on a command saying wait, and on the pause file', () => {
    expect(decide({ ...none, readings: [{ source: 'query', value: 48_210 }] }, 20_000)).toEqual({ kind: 'wait', reason: 'throttle 48,210 > 20,000' });
    expect(decide({ ...none, readings: [{ source: 'query', error: 'relation "q" does not exist' }] }, 5)).toEqual({ kind: 'wait', reason: 'throttle query failed: relation "q" does not exist' });
    // A failing reading holds the run even with no limit set: it never goes on silently.
    expect(decide({ ...none, readings: [{ source: 'command', error: 'exited 1' }] }, null)).toEqual({ kind: 'wait', reason: 'throttle command failed: exited 1' });
    expect(decide({ ...none, pauseFile: '/tmp/p' }, null)).toEqual({ kind: 'wait', reason: 'pause file /tmp/p' });
  });

  it('stops on the stop file, before anything else', () => {
    expect(decide({ readings: [{ source: 'query', value: 9 }], pauseFile: '/tmp/p', stopFile: '/tmp/s' }, 1)).toEqual({ kind: 'stop', reason: 'the stop file /tmp/s' });
  });

  it('says a pause the way the progress line shows it', () => {
    expect(pauseLine(12_400, 'throttle 48,210 > 20,000')).toBe('paused 12 s: throttle 48,210 > 20,000');
    expect(pauseLine(245_000, 'pause file /tmp/p')).toBe('paused 4 min 05 s: pause file /tmp/p');
    expect(maxPauseMessage(13, 1_900_000, 1_800_000, 'throttle 9 > 1')).toMatch(/^step 13 was paused 31 min 40 s \(throttle 9 > 1\), longer than --max-pause 30 min 0 s; .* resume at step 13$/);
  });
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const row = (step: number, over: Partial<JournalRow & { paused_ms: number }>): JournalRow =>
  ({ runbook: 'i', checksum: 'c', step, file: '', kind: 'batch', title: '', status: 'done', started_at: at(0), finished_at: at(10), rows_affected: 0, batches: 0, progress_done: null, progress_total: null, attempts: 1, error: null, ...over }) as JournalRow;
const step = (number: number): RunStep => ({ header: { number, total: 16 } }) as unknown as RunStep;

describe('the whole-runbook progress line', () => {
  it('estimates a resumed batch step from its rate without its pauses, other steps from their last finished run', () => {
    // 1000 of 4000 rows in 30 s of which 20 s paused: 100 rows/s, 3000 rows left: 30 s.
    const history = [row(13, { status: 'interrupted', started_at: at(0), finished_at: at(30), paused_ms: 20_000, rows_affected: 1000, progress_done: 1000, progress_total: 4000 }), row(14, { checksum: 'old' })];
    expect(expectedMs(13, history, 'c')).toBe(30_000);
    expect(expectedMs(14, history, 'c')).toBe(10_000);
    expect(expectedMs(15, history, 'c')).toBeNull();
    expect(runbookLine([step(13), step(14), step(15)], 0, history, 'c')).toBe('runbook: step 13 of 16 next; expected 30 s for it, 10 s for the 2 steps after it (1 never run before)');
    expect(runbookLine([step(15), step(16)], 0, [], 'c')).toBe('runbook: step 15 of 16 next, 1 more after it; no earlier run in the journal to estimate from');
  });
});

describe('a pause on the batch progress line', () => {
  const sink = (tty: boolean) => Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((s.text += chunk.toString()), done()) }), { text: '', isTTY: tty, columns: 200 }) as Writable & { text: string; isTTY: boolean };
  let s = sink(false);

  it('without a terminal: a line with the pause, at most as often as the rows lines', () => {
    vi.useFakeTimers();
    s = sink(false);
    const p = terminalUi(false, () => 16, { out: sink(false), err: s, quietEveryMs: 30_000 }).progress('step 13', 1000, 0);
    vi.advanceTimersByTime(31_000);
    p.note?.(pauseLine(12_000, 'throttle 48,210 > 20,000'));
    p.note?.(pauseLine(14_000, 'throttle 48,210 > 20,000'));
    expect(s.text).toBe('step 13: paused 12 s: throttle 48,210 > 20,000\n');
    vi.useRealTimers();
  });

  it('on a terminal: on the bar itself, cleared when the pause ends', async () => {
    s = sink(true);
    const p = terminalUi(false, () => 16, { out: sink(false), err: s, quietEveryMs: 30_000 }).progress('step 13', 1000, 0);
    p.note?.(pauseLine(12_000, 'throttle 48,210 > 20,000'));
    // cli-progress redraws on its own timer (10 per second by default).
    await new Promise((r) => setTimeout(r, 250));
    expect(s.text).toMatch(/step 13 \[.*\] 0% 0\/1000 rows \| 0 rows\/s \| ETA .* \| elapsed .* \| paused 12 s: throttle 48,210 > 20,000/);
    p.note?.(null);
    p.update(10);
    await new Promise((r) => setTimeout(r, 250));
    p.stop();
    // The frames after the pause (cli-progress starts each at column 1) no longer show it.
    const frames = s.text.split('\u001b[1G').filter((f) => f.includes('rows'));
    expect(frames.at(-1)).toMatch(/ 10\/1000 rows/);
    expect(frames.at(-1)).not.toContain('paused');
  });
});
