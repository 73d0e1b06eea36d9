/**
 * Whether the next batch may run, decided from what the probes read (pure). gh-ost's
 * --throttle-query/--throttle-flag-file/--postpone... and pt-archiver's --check-slave-lag are the
 * models: a reading above its limit, a failing reading, or the operator's pause file holds the
 * batches; the stop file ends the run at the batch boundary.
 */

import { formatMs } from '../report.js';

/** One reading of back-pressure: a number, or why there is none (a failing probe holds the run). */
export type Reading =
  | { source: 'query' | 'command'; value: number }
  | { source: 'query' | 'command'; error: string };

/** What the probes saw before one batch. */
export interface Sensed {
  readings: Reading[];
  /** The pause file's path when it exists, else null. */
  pauseFile: string | null;
  /** The stop file's path when it exists, else null. */
  stopFile: string | null;
}

/** go: run the batch; wait: hold it (reason shown and recorded); stop: end the run cleanly. */
export type Decision = { kind: 'go' } | { kind: 'wait'; reason: string } | { kind: 'stop'; reason: string };

/** 48210 as "48,210": the progress line and the record show readings this way. */
export const formatReading = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function decide(sensed: Sensed, max: number | null): Decision {
  if (sensed.stopFile !== null) return { kind: 'stop', reason: `the stop file ${sensed.stopFile}` };
  const why: string[] = [];
  if (sensed.pauseFile !== null) why.push(`pause file ${sensed.pauseFile}`);
  for (const r of sensed.readings) {
    if ('error' in r) why.push(`throttle ${r.source} failed: ${r.error}`);
    else if (max !== null && r.value > max) why.push(`throttle ${formatReading(r.value)} > ${formatReading(max)}${r.source === 'command' ? ' (command)' : ''}`);
  }
  return why.length === 0 ? { kind: 'go' } : { kind: 'wait', reason: why.join('; ') };
}

/** "12 s", "4 min 05 s", "1 h 02 min": how long a pause has lasted. */
export function formatPause(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The progress line of a pause: "paused 12 s: throttle 48,210 > 20,000". */
export const pauseLine = (ms: number, reason: string): string => `paused ${formatPause(ms)}: ${reason}`;

/** The message that ends a run paused longer than --max-pause (exit 1). */
export function maxPauseMessage(step: number, ms: number, maxMs: number, reason: string): string {
  return `step ${step} was paused ${formatMs(ms)} (${reason}), longer than --max-pause ${formatMs(maxMs)}; the run stopped at a batch boundary with nothing half-done. Relieve the back-pressure (or raise --max-pause) and run the same command again to resume at step ${step}`;
}
