/** The person running the runner: the interface lives in types.ts; here, the UI for runs inside other programs. */
import type { RunnerUi } from './types.js';

export type { Activity, Progress, RunnerUi } from './types.js';

/** A UI that shows nothing and can ask no one (as with no terminal): for runs inside other programs. */
export const silentUi: RunnerUi = {
  step() {},
  say() {},
  confirm: async () => null,
  progress: () => ({ update() {}, stop() {} }),
  activity: () => ({ update() {}, stop() {} }),
};
