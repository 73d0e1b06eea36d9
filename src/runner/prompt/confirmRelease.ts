/**
 * The question before `restitch release-lease` and `restitch release-incident` give something
 * back: one way to ask, to refuse without a terminal, and to stop on Ctrl-C, for both.
 */
import { checkError } from '../../core/errors.js';
import type { RunDeps } from '../types.js';

/** How a release was confirmed, or 'interrupted' (Ctrl-C at the question, exit 130). */
export type ReleaseConfirmation = '--yes' | 'typed' | 'interrupted';

/**
 * Asks `question` unless `yes`; `kept` says what stays as it was ("the lease was kept"). Throws
 * (exit 1) when there is no terminal to ask or the answer is no.
 */
export async function confirmRelease(deps: Pick<RunDeps, 'ui' | 'signal'>, yes: boolean, question: string, kept: string): Promise<ReleaseConfirmation> {
  if (yes) return '--yes';
  const answer = await deps.ui.confirm(question, null, deps.signal);
  if (answer === null) throw checkError(`there is no terminal to confirm the release: run in a terminal, or pass --yes; ${kept}`);
  if (!answer && deps.signal.aborted) {
    deps.ui.say(`stopped by Ctrl-C: ${kept}`);
    return 'interrupted';
  }
  if (!answer) throw checkError(`not confirmed: ${kept}`);
  return 'typed';
}
