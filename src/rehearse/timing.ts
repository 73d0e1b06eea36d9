/** Timing of the rehearsal's steps. */

/** One step: its time on the copy and, where extrapolated, in production (ms). */
export interface TimedStep {
  step: string;
  ms: number;
  /** A step of the runbook (it runs in production too), not of the rehearsal itself. */
  runbook?: boolean;
  production?: number | null;
}

/** Runs `work`, recording its time under `step`. */
export async function timed<T>(steps: TimedStep[], step: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  steps.push({ step, ms: Math.round(performance.now() - started) });
  return result;
}
