/** `run`'s throttle and control options, validated: the throttle query through throttleQuery.ts, numbers, durations, paths. */
import { resolve } from 'node:path';
import { parseDuration } from '../../core/directives.js';
import { inputError } from '../../core/errors.js';
import { validateThrottleQuery } from '../../runner/throttle/throttleQuery.js';
import type { RunOptions } from '../../runner/types.js';

type ThrottleOptions = Pick<RunOptions, 'throttleQuery' | 'throttleCommand' | 'throttleMax' | 'pauseFile' | 'stopFile' | 'maxPauseMs' | 'throttleIntervalMs'>;

/** 30s, 10m, 2h (or 250ms when `ms`): milliseconds. */
function durationMs(flag: string, raw: unknown, ms: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const m = ms ? /^(\d{1,7})ms$/.exec(text) : null;
  const seconds = m ? Number(m[1]) / 1000 : parseDuration(text);
  if (seconds === null || seconds <= 0) throw inputError(`${flag} must look like ${ms ? '500ms, ' : ''}30s, 10m or 2h, not '${text}'`);
  return seconds * 1000;
}

export async function throttleOptions(o: Record<string, unknown>): Promise<ThrottleOptions> {
  const out: ThrottleOptions = {};
  if (o.throttleMax !== undefined) {
    const n = Number(o.throttleMax);
    if (!/^\d+(\.\d+)?$/.test(String(o.throttleMax)) || !Number.isFinite(n)) throw inputError(`--throttle-max must be a number of at least 0, not '${String(o.throttleMax)}'`);
    out.throttleMax = n;
  }
  if (o.throttleQuery !== undefined) {
    if (out.throttleMax === undefined) throw inputError('--throttle-query needs --throttle-max N: batches wait while the query reads above N');
    out.throttleQuery = await validateThrottleQuery(String(o.throttleQuery));
  }
  if (o.throttleCommand !== undefined) {
    if (String(o.throttleCommand).trim() === '') throw inputError('--throttle-command is empty');
    out.throttleCommand = String(o.throttleCommand);
  }
  if (out.throttleMax !== undefined && !out.throttleQuery && !out.throttleCommand) throw inputError('--throttle-max needs --throttle-query or --throttle-command, whose reading it limits');
  // Absolute: the operator's other terminal may be in another directory.
  if (o.pauseFile !== undefined) out.pauseFile = resolve(String(o.pauseFile));
  if (o.stopFile !== undefined) out.stopFile = resolve(String(o.stopFile));
  if (out.pauseFile !== undefined && out.pauseFile === out.stopFile) throw inputError('--pause-file and --stop-file must be different files');
  const maxPause = o.maxPause === '0' ? undefined : durationMs('--max-pause', o.maxPause, false);
  if (maxPause !== undefined) out.maxPauseMs = maxPause;
  const interval = durationMs('--throttle-interval', o.throttleInterval, true);
  if (interval !== undefined) out.throttleIntervalMs = interval;
  return out;
}
