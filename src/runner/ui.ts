/** How the runner talks to the person running it; the CLI provides the terminal version. */
import type { StepResult } from './types.js';

/** A progress display for one batch step. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export interface RunnerUi {
  /** The one report line of a finished (or stopped) step. */
  step(result: StepResult): void;
  /** A message for the person: what is about to happen, a retry, how to resume. */
  say(text: string): void;
  /**
   * Asks a yes/no question; `typed` asks for the word to be typed (manual steps). Resolves null
   * when there is no terminal to ask, and false when the signal aborts the question.
   */
  confirm(question: string, typed: string | null, signal: AbortSignal): Promise<boolean | null>;
  /** Starts a progress display; `total` from the step's progress query, null when unknown. */
  progress(title: string, total: number | null, done: number): Progress;
}

/** A UI that shows nothing and can ask no one (as with no terminal): for runs inside other programs. */
export const silentUi: RunnerUi = {
  step() {},
  say() {},
  confirm: async () => null,
  progress: () => ({ update() {}, stop() {} }),
};
