/**
 * The batch size of one session: it starts at the runbook's LIMIT (or `--batch-size`) and, unless
 * told otherwise, moves towards the size whose batch takes the target time (250 ms by default):
 * long enough that per-batch costs vanish, short enough that each transaction stays small and a
 * Ctrl-C or a retry loses little. It changes at most twofold per batch, stays within
 * [min, max], and learns only from full batches (a short last batch says nothing of the time
 * per row).
 */
import type { Dialect } from '../../core/dialects/index.js';
import type { RunOptions } from '../types.js';

/** The target batch time when `--batch-target` is not given. */
export const DEFAULT_BATCH_TARGET_MS = 250;

export class BatchSizer {
  size: number | null;
  private readonly min: number;
  private readonly max: number;
  private readonly targetMs: number;

  /** `start`: the statement's LIMIT (null: it has none to change); `adaptive`: false keeps it. */
  constructor(start: number | null, opts: Pick<RunOptions, 'batchSize' | 'batchMin' | 'batchMax' | 'batchTargetMs'>, dialect: Pick<Dialect, 'batchGrowth'>, adaptive: boolean) {
    this.size = start === null ? null : (opts.batchSize ?? start);
    const first = this.size ?? 1;
    // An explicit --batch-size is kept unless a target is asked for too.
    const fixed = !adaptive || (opts.batchSize !== undefined && opts.batchTargetMs === undefined);
    this.targetMs = fixed ? 0 : (opts.batchTargetMs ?? DEFAULT_BATCH_TARGET_MS);
    this.min = opts.batchMin ?? Math.max(1, Math.floor(first / 10));
    this.max = Math.max(this.min, opts.batchMax ?? first * dialect.batchGrowth);
  }

  /** A batch of `rows` took `ms`: the next size. */
  record(rows: number, ms: number): void {
    if (this.size === null || this.targetMs <= 0 || rows < this.size || ms <= 0) return;
    const factor = Math.min(2, Math.max(0.5, this.targetMs / ms));
    this.size = Math.min(this.max, Math.max(this.min, Math.round(this.size * factor)));
  }
}
