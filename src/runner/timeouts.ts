/**
 * Statement and lock timeouts per step kind. A check or a single batch that runs for many minutes
 * means a plan went wrong (a scan instead of a keyset range); waiting on a lock for long means the
 * platform or a person holds it, and the step should stop rather than queue behind it.
 */
import type { StepKind } from '../core/types.js';
import type { RunOptions } from './types.js';

const MINUTE = 60_000;

/** Defaults in milliseconds; `--statement-timeout` / `--lock-timeout` override every kind. */
export const DEFAULT_TIMEOUTS: Readonly<Record<Exclude<StepKind, 'manual'>, { statementMs: number; lockMs: number }>> = {
  check: { statementMs: 15 * MINUTE, lockMs: 10_000 },
  wait: { statementMs: 5 * MINUTE, lockMs: 10_000 },
  // One transaction over the whole change (the multi-entity export of a large entity).
  change: { statementMs: 60 * MINUTE, lockMs: 30_000 },
  // Per batch: one keyset range.
  batch: { statementMs: 10 * MINUTE, lockMs: 30_000 },
};

/** Session settings for a step of `kind`; with the unit spelled out, both dialects read them alike. */
export function stepSettings(kind: StepKind, opts: Pick<RunOptions, 'statementTimeoutMs' | 'lockTimeoutMs'>): Record<string, string> {
  const base = kind === 'manual' ? DEFAULT_TIMEOUTS.check : DEFAULT_TIMEOUTS[kind];
  return {
    statement_timeout: `${opts.statementTimeoutMs ?? base.statementMs}ms`,
    lock_timeout: `${opts.lockTimeoutMs ?? base.lockMs}ms`,
  };
}
