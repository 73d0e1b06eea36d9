/**
 * A batch step: the statement repeated until it affects no row. Each batch is one round trip on
 * PostgreSQL: `BEGIN; <statement with the journal update added>; COMMIT` as one simple query
 * (node-postgres sends a query without parameters as the simple protocol, which carries several
 * statements; https://node-postgres.com/features/queries), so the batch and its journal record
 * commit together. On CockroachDB the floor is read first (templates/partials/common/keyset-batch.hbs),
 * then the same one-statement transaction, `BEGIN TRANSACTION PRIORITY HIGH` when asked.
 * The batch size adapts to a target batch time; a ranged walk is cut into key ranges
 * (keyRanges.ts) that `--parallel N` sessions walk side by side, each resuming on its own.
 */
import { BatchSizer } from './batchSizer.js';
import { readProgress, type Outcome, type StepContext } from '../executors.js';
import { splitRange, type KeyRange } from './keyRanges.js';
import type { Db } from '../connection/session.js';
import { addJournal, journalSlot, setSlot, slotValues } from './slots.js';
import { stepSettings } from '../timeouts.js';
import type { RunStep } from '../types.js';
import { readWalkPosition } from './walkPosition.js';
import { withRunTimes } from '../runTimes.js';

/** A whole-walk pseudo range: the statement as generated. */
const WHOLE: KeyRange | null = null;

/** The ranges of the step's walk, in key order (one whole walk when the step is not ranged or empty). */
export async function rangesOf(ctx: Pick<StepContext, 'db' | 'step'>): Promise<(KeyRange | null)[]> {
  const sql = ctx.step.header.ranges;
  if (!sql) return [WHOLE];
  const row = (await ctx.db.query<{ lo: unknown; hi: unknown }>(sql)).rows[0];
  if (!row || row.lo == null || row.hi == null) return [WHOLE];
  const ranges = splitRange(String(row.lo), String(row.hi));
  return ranges.length > 0 ? ranges : [WHOLE];
}

export { floorParams } from './walkPosition.js';

/**
 * The statement of one batch, pure: size, range and floor put into their marked slots, and the
 * journal update added when the statement has a `-- restitch:journal` slot (then the batch is one
 * round trip). `--dry-run --sql` prints what this returns, so it shows what a run sends.
 */
export function composeBatch(
  body: string,
  step: RunStep,
  values: { size: number | null; range: KeyRange | null; floor: string | null; identifier?: string | null; first?: boolean },
  journalCte: (perBatch: boolean) => string,
): { sql: string; oneTrip: boolean } {
  let sql = body;
  if (values.size !== null) sql = setSlot(sql, 'batch-size', values.size, step.file);
  const { range } = values;
  if (range) {
    sql = setSlot(sql, 'range-end', range.upTo, step.file);
    if (range.after !== null && slotValues(sql, 'range-start').length > 0) sql = setSlot(sql, 'range-start', range.after, step.file);
  }
  if (step.header.floor && values.floor !== null) sql = setSlot(sql, 'floor', values.floor, step.file);
  if (values.identifier != null) sql = setSlot(sql, 'identifier', values.identifier, step.file);
  if (values.first !== undefined && slotValues(sql, 'first-batch').length > 0) sql = setSlot(sql, 'first-batch', values.first ? 1 : 0, step.file);
  const slot = journalSlot(sql);
  if (!slot) return { sql, oneTrip: false };
  return { sql: addJournal(sql, journalCte(slot.perBatch)), oneTrip: true };
}

/** What a batch adds at `-- restitch:journal`: the journal's update, then its own row of the run record when there is one. */
export function recordCtes(ctx: Pick<StepContext, 'journal' | 'step' | 'batchRow'>, total: number | null): (perBatch: boolean) => string {
  const row = ctx.batchRow?.(ctx.step.header.number);
  return (perBatch) => `${ctx.journal.batchCte(ctx.step, total, perBatch)}${row ? `,\n${row}` : ''}`;
}

/**
 * The statement of one batch on `db`: the floor (and a walk's identifier) read now (CockroachDB),
 * then composeBatch; null when a walk over identifiers has none left.
 */
async function statement(ctx: StepContext, db: Db, range: KeyRange | null, size: number | null, total: number | null, first: boolean): Promise<{ sql: string; oneTrip: boolean } | null> {
  const { step } = ctx;
  // Only this worker writes done keys in its range: the floor read now is the one its batch sees.
  const at = step.header.floor ? await readWalkPosition(db, step, ctx.body, range) : null;
  if (at?.over) return null;
  return composeBatch(ctx.body, step, { size, range, floor: at?.floor ?? null, identifier: at?.identifier ?? null, first }, recordCtes(ctx, total));
}

/** Runs one batch on `db` in its own transaction; returns the rows it recorded. */
async function oneBatch(ctx: StepContext, db: Db, range: KeyRange | null, size: number | null, total: number | null, first: boolean): Promise<number> {
  const composed = await statement(ctx, db, range, size, total, first);
  if (composed === null) return 0;
  const { sql, oneTrip } = composed;
  const begin = ctx.dialect.server.begin(ctx.step.header.priority === 'high');
  const lease = ctx.lease;
  try {
    if (oneTrip) {
      // The lease row is locked last, as confirmWithin does; its row counts as one.
      const lock = lease ? `\n${lease.lockStatement()};` : '';
      const r = await db.query(`${begin};\n${sql}${lock}\nCOMMIT;`);
      return r.rowCount - (lease ? 1 : 0);
    }
    if (db !== ctx.db) throw new Error(`${ctx.step.file}: a batch without -- restitch:journal runs on the step's own session only`);
    await db.query(begin);
    const r = await db.query(sql);
    if (r.rowCount > 0) await ctx.journal.batch(ctx.step, r.rowCount, total);
    await ctx.record?.batch(ctx.step.header.number, r.rowCount);
    await ctx.beforeCommit?.();
    await db.query('COMMIT');
    return r.rowCount;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    if (lease && (error as { code?: unknown }).code === '22012') throw await lease.lost();
    throw error;
  }
}

/** Sessions for workers 2..n, set up like the step's own; closed by the caller. */
async function openWorkers(ctx: StepContext, n: number): Promise<Db[]> {
  const extra: Db[] = [];
  if (n <= 1 || !ctx.connect) return extra;
  try {
    for (let i = 1; i < n; i++) {
      const db = await ctx.connect();
      extra.push(db);
      await db.settings(stepSettings('batch', ctx.opts));
    }
  } catch (error) {
    await Promise.all(extra.map((db) => db.close()));
    throw error;
  }
  return extra;
}

export async function runBatch(given: StepContext): Promise<Outcome> {
  // The times the statement compares with, read once for the whole step (runTimes.ts).
  const ctx: StepContext = { ...given, body: await withRunTimes(given) };
  const { step, journal, opts } = ctx;
  const progress = await readProgress(ctx);
  if (progress) await journal.progress(step, progress.done, progress.total);
  const total = progress?.total ?? null;
  let done = progress?.done ?? 0;
  const ranges = await rangesOf(ctx);
  const hasSize = slotValues(ctx.body, 'batch-size').length === 1;
  const perBatch = journalSlot(ctx.body)?.perBatch === true;
  const start = hasSize ? Number(slotValues(ctx.body, 'batch-size')[0]) : null;
  const workers = Math.max(1, Math.min(opts.parallel ?? 1, ranges.length));
  if ((opts.parallel ?? 1) > 1 && !step.header.ranges) ctx.ui.say(`step ${step.header.number}: one session (its walk is not split into ranges)`);
  const extra = await openWorkers(ctx, workers);
  const sessions = [ctx.db, ...extra];
  const interruptAll = () => extra.forEach((db) => void db.interrupt().catch(() => {}));
  ctx.signal.addEventListener('abort', interruptAll);
  const bar = ctx.ui.progress(`step ${step.header.number}`, total, done);
  let rows = 0;
  let next = 0;
  let failure: unknown = null;
  // The first batch of the run goes alone: it may hold a look that later batches skip
  // (`restitch:first-batch`), and no other session may commit a batch before it has passed.
  let firstTaken = false;
  let firstPassed!: () => void;
  const firstDone = new Promise<void>((resolve) => (firstPassed = resolve));
  const work = async (db: Db) => {
    // Each session sizes its own batches: a walk keyed by position (batches of neighbouring
    // pages) and one with a done row per batch (progress counted in batches) keep theirs.
    const sizer = new BatchSizer(start, opts, ctx.dialect, !perBatch);
    for (let range = ranges[next++]; range !== undefined && failure === null; range = ranges[next++]) {
      for (;;) {
        if (failure !== null) return;
        ctx.signal.throwIfAborted();
        await ctx.throttle?.check(db, step.header.number, true, bar);
        const began = performance.now();
        const size = sizer.size;
        const first = !firstTaken;
        firstTaken = true;
        if (!first) await firstDone;
        if (failure !== null) return;
        let affected: number;
        try {
          affected = await oneBatch(ctx, db, range, size, total, first);
        } catch (error) {
          // Set before the other sessions are let go, so that none sends a batch after it.
          failure ??= error;
          throw error;
        } finally {
          if (first) firstPassed();
        }
        sizer.record(affected, performance.now() - began);
        ctx.onBatch?.();
        rows += affected;
        done += affected;
        bar.update(done);
        // A ranged walk is over a backup, a snapshot: a batch short of its size took the range's
        // last keys, so the empty batch that would confirm it is skipped (64 ranges, 64 round trips).
        if (affected === 0 || (range !== null && !perBatch && size !== null && affected < size)) break;
      }
    }
  };
  try {
    const results = await Promise.allSettled(sessions.map((db) => work(db).catch((error: unknown) => {
      failure ??= error;
      throw error;
    })));
    if (failure !== null || results.some((r) => r.status === 'rejected')) throw failure;
    return { status: 'done', rows };
  } finally {
    ctx.signal.removeEventListener('abort', interruptAll);
    bar.stop();
    await Promise.all(extra.map((db) => db.close()));
  }
}
