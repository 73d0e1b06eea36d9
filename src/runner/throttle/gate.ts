/**
 * The gate before every batch (and every step): senses, decides (decide.ts), and holds the run
 * while it must wait, showing the pause ("paused 12 s: throttle 48,210 > 20,000") and recording
 * it. Sessions of `--parallel` share one gate: while one of them senses or waits, the others wait
 * for the same answer, so a pause is one pause, recorded once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkError } from '../../core/errors.js';
import type { Db } from '../connection/session.js';
import type { Progress, RunnerUi, RunOptions } from '../types.js';
import { decide, formatPause, maxPauseMessage, pauseLine } from './decide.js';
import { sense } from './probes.js';

/** What the gate is asked to do (from `run`'s options). */
export type GateOptions = Pick<RunOptions, 'throttleQuery' | 'throttleCommand' | 'pauseFile' | 'stopFile' | 'throttleMax' | 'maxPauseMs' | 'throttleIntervalMs'>;

/** Where a pause is recorded (record/runRecord.ts), null in a dry run. */
export interface PauseSink {
  pauseStarted(step: number, reason: string): Promise<void>;
  pauseEnded(step: number, ms: number): Promise<void>;
}

export const DEFAULT_THROTTLE_INTERVAL_MS = 2000;

/** Whether any option asks for the gate at all (without one, no gate and no cost). */
export const gateWanted = (o: GateOptions): boolean => Boolean(o.throttleQuery || o.throttleCommand || o.pauseFile || o.stopFile);

export class ThrottleGate {
  private pending: Promise<void> | null = null;

  constructor(
    private readonly opts: GateOptions,
    private readonly ui: RunnerUi,
    private readonly sink: PauseSink | null,
    /** Stops the run cleanly (the stop file): aborts with the reason. */
    private readonly stop: (reason: string) => void,
    private readonly signal: AbortSignal,
    private readonly redact: (t: string) => string,
  ) {}

  /** Returns when the next batch (`throttle`) or step may start; throws when the run must end. */
  check(db: Db, step: number, throttle: boolean, bar?: Progress): Promise<void> {
    this.pending ??= this.hold(db, step, throttle, bar).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async hold(db: Db, step: number, throttle: boolean, bar: Progress | undefined): Promise<void> {
    const max = this.opts.throttleMax ?? null;
    let pause: { started: number; reason: string; recorded: boolean } | null = null;
    // Within a batch step the pause shows on its progress line; between steps, as a running activity.
    const activity = { current: null as { update(text: string): void; stop(): void } | null };
    try {
      for (;;) {
        this.signal.throwIfAborted();
        const decision = decide(await sense(db, this.opts, throttle, this.redact), max);
        if (decision.kind === 'go') return;
        if (decision.kind === 'stop') {
          this.ui.say(`step ${step}: ${decision.reason} exists: stopping at this batch boundary; remove it and run the same command again to resume`);
          this.stop(decision.reason);
          this.signal.throwIfAborted();
          return;
        }
        const now = Date.now();
        if (!pause) {
          pause = { started: now, reason: decision.reason, recorded: false };
          this.ui.say(`step ${step}: ${pauseLine(0, decision.reason)}`);
          activity.current = bar?.note ? { update: (t) => bar.note?.(t), stop: () => bar.note?.(null) } : this.ui.activity(`step ${step}: paused`, decision.reason);
          await this.sink?.pauseStarted(step, decision.reason);
          pause.recorded = this.sink !== null;
        }
        activity.current?.update(pauseLine(now - pause.started, decision.reason));
        const maxMs = this.opts.maxPauseMs;
        if (maxMs !== undefined && maxMs > 0 && now - pause.started > maxMs) throw checkError(maxPauseMessage(step, now - pause.started, maxMs, decision.reason));
        await sleep(this.opts.throttleIntervalMs ?? DEFAULT_THROTTLE_INTERVAL_MS, undefined, { signal: this.signal });
      }
    } finally {
      activity.current?.stop();
      if (pause) {
        const ms = Date.now() - pause.started;
        if (pause.recorded) await this.sink?.pauseEnded(step, ms).catch(() => {});
        this.ui.say(`step ${step}: ${this.signal.aborted ? 'stopped' : 'resumed'} after a pause of ${formatPause(ms)} (${pause.reason})`);
      }
    }
  }
}
