/**
 * The question before a step: which steps ask, what they show, and how an answer (or `--yes`,
 * `--confirm N`, or no terminal at all) confirms or stops the step.
 */
import { copyRows } from '../copyLoad.js';
import { describeEstimate, estimateChange } from '../dryRun.js';
import type { StepContext } from '../executors.js';
import { describeError } from '../connection/sqlError.js';
import type { Confirmation } from '../types.js';
import { batchPrompt, changePrompt, noReturnWarning } from './prompt.js';

/**
 * Asks before a change, batch or manual step, and before the point-of-no-return step whatever
 * its kind. `--yes` confirms change and batch steps (and the point of no return) only: a manual
 * step (disable CPS, deploy the rules and enable CPS) is done by a person, who types `done` or
 * names the step with `--confirm N`. Returns how the step was confirmed, or why the run stops.
 */
export async function confirmStep(ctx: StepContext): Promise<{ by: Confirmation } | { stop: string }> {
  const { header, body } = ctx.step;
  const named = ctx.opts.confirm?.includes(header.number) === true;
  const at = `step ${header.number}/${header.total} (${header.kind})`;
  // Said even when confirmed on the command line: the log shows where undo stopped being possible.
  if (header.pointOfNoReturn) ctx.ui.say(noReturnWarning(header.number));
  if (header.kind === 'manual') {
    const instructions = [...header.notes, ...body.split('\n').map((l) => l.replace(/^--\s?/, ''))].filter((l) => l.trim() !== '');
    ctx.ui.say(`step ${header.number}/${header.total} is done by hand: ${header.title}\n${instructions.map((l) => `    ${l}`).join('\n')}`);
    if (named) return { by: '--confirm' };
    const answer = await ctx.ui.confirm(`Type 'done' once step ${header.number} is done`, 'done', ctx.signal);
    if (answer === null) return { stop: `step ${header.number} is done by hand and there is no terminal to confirm it (--yes does not confirm steps done by hand): do it, then run again with --confirm ${header.number}` };
    return answer ? { by: 'typed' } : { stop: `step ${header.number} was not confirmed` };
  }
  const asks = header.kind === 'change' || header.kind === 'batch' || header.pointOfNoReturn === true;
  if (!asks) return { by: null };
  if (named) return { by: '--confirm' };
  if (ctx.opts.yes) return { by: '--yes' };
  if (header.kind === 'change') ctx.ui.say(changePrompt(ctx.step, ctx.body, ctx.path, await estimateFor(ctx)));
  else if (header.kind === 'batch') ctx.ui.say(batchPrompt(ctx.step, ctx.body, ctx.path));
  const question = header.pointOfNoReturn ? `Go past the point of no return: run ${at}: ${header.title}?` : `Run ${at}: ${header.title}?`;
  const answer = await ctx.ui.confirm(question, null, ctx.signal);
  // A wait or check changes nothing itself: without a terminal it runs, the warning said.
  if (answer === null && (header.kind === 'wait' || header.kind === 'check')) return { by: null };
  if (answer === null) return { stop: `step ${header.number} changes data and there is no terminal to confirm it: run in a terminal, or pass --yes (or --confirm ${header.number})` };
  return answer ? { by: 'typed' } : { stop: `step ${header.number} was not confirmed` };
}

/** The dry run's estimate of a change step, or why there is none (its tables may not exist before the steps before it run). */
async function estimateFor(ctx: StepContext): Promise<string> {
  const { copyFrom } = ctx.step.header;
  if (copyFrom) return `${copyRows(ctx.files?.get(copyFrom) ?? '')} rows of ${copyFrom} (exact), replacing the table's rows`;
  try {
    return describeEstimate(await estimateChange(ctx));
  } catch (error) {
    return `none: EXPLAIN failed (${describeError(error, ctx)})`;
  }
}

