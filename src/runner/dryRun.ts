/**
 * `--dry-run`: nothing changes. Checks run read-only and report; batch steps report the exact
 * rows left (their progress query); change steps report the planner's estimate (EXPLAIN, which
 * does not execute); manual and wait steps say what they would do.
 */
import { forPostgresParser, type Dialect } from '../core/dialects/index.js';
import { loadPgQuery } from '../core/where.js';
import { copyRows } from './copyLoad.js';
import { checkVerdict, readOnly, readProgress, type StepContext } from './executors.js';
import { composeBatch, floorParams, rangesOf, recordCtes } from './batch/batchStep.js';
import { readWalkPosition } from './batch/walkPosition.js';
import { slotValues } from './batch/slots.js';
import { rowsWritten } from './planEstimate.js';
import type { FirstBatch, FloorBinding, StepScript } from './stepScript.js';
import type { Db } from './connection/session.js';
import { describeError } from './connection/sqlError.js';
import type { StepResult } from './types.js';

/** One statement of a step's body: its parse-tree node type, its text and its tree. */
export interface ParsedStatement {
  kind: string;
  sql: string;
  tree: Record<string, unknown>;
}

/** The statements of a step's body, each with its own text (as PostgreSQL's parser splits them). */
export async function statementsOf(body: string, dialect: Dialect): Promise<ParsedStatement[]> {
  const pg = await loadPgQuery();
  const text = forPostgresParser(dialect, body);
  const bytes = Buffer.from(text, 'utf8');
  return (pg.parseSync(text).stmts ?? []).map((raw) => {
    const s = raw as { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number };
    const start = s.stmt_location ?? 0;
    const sql = (s.stmt_len ? bytes.subarray(start, start + s.stmt_len) : bytes.subarray(start)).toString('utf8').trim();
    return { kind: Object.keys(s.stmt ?? {})[0] ?? '', sql, tree: s.stmt ?? {} };
  });
}

/** The DML statements of a change step, as separate statements (DDL is left out). */
async function dmlStatements(body: string, dialect: Dialect): Promise<{ dml: string[]; ddl: number }> {
  const out = { dml: [] as string[], ddl: 0 };
  for (const s of await statementsOf(body, dialect)) {
    if (['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'SelectStmt'].includes(s.kind)) out.dml.push(s.sql);
    else out.ddl += 1;
  }
  return out;
}

/**
 * EXPLAIN (without ANALYZE) plans and executes nothing, so it runs outside the read-only guard:
 * CockroachDB before v25.3 refuses EXPLAIN of an INSERT/UPDATE/DELETE in a read-only session
 * (cockroachdb/cockroach issue 103754, fixed by PR 149449). It runs in a transaction that is
 * always rolled back, so even a mistaken EXPLAIN ANALYZE would leave nothing behind.
 */
export async function explainRolledBack(db: Db, prefix: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  await db.query('BEGIN');
  try {
    return (await db.query<Record<string, unknown>>(`${prefix} ${sql}`, params)).rows;
  } finally {
    await db.query('ROLLBACK').catch(() => {});
  }
}

/** The planner's estimate of the rows a change step writes, summed over its statements. */
export async function estimateChange(ctx: Pick<StepContext, 'db' | 'dialect' | 'body'>): Promise<{ rows: number; unknown: number; statements: number; ddl: number }> {
  const { dml, ddl } = await dmlStatements(ctx.body, ctx.dialect);
  const explain = ctx.dialect.server.explain;
  const total = { rows: 0, unknown: 0, statements: dml.length, ddl };
  for (const sql of dml) {
    const e = rowsWritten(await explainRolledBack(ctx.db, explain.prefix, sql), explain);
    total.rows += e.rows;
    total.unknown += e.unknown;
  }
  return total;
}

/** "~50004 rows (planner estimate), 2 DDL statement(s)". */
export function describeEstimate(e: { rows: number; unknown: number; statements: number; ddl: number }): string {
  const unknown = e.unknown > 0 ? ` and ${e.unknown} write(s) it cannot estimate` : '';
  return [e.statements > 0 ? `~${e.rows} rows (planner estimate${unknown})` : '', e.ddl > 0 ? `${e.ddl} DDL statement(s)` : ''].filter(Boolean).join(', ');
}

/**
 * The dry run of one step: what it would touch, and with `script` (`--sql`) the statements as the
 * runner would send them. `guarded`: the runner checks for CPS sessions before the step.
 */
export async function dryRunStep(ctx: StepContext, redact: (t: string) => string, script?: { sql: StepScript; guarded: boolean }): Promise<StepResult> {
  const result = await dryRunResult(ctx, redact);
  if (!script) return result;
  const copyData = ctx.step.header.copyFrom ? ctx.files?.get(ctx.step.header.copyFrom) : undefined;
  if (ctx.step.header.kind !== 'batch') return { ...result, sql: redact(script.sql.step(ctx.step, ctx.body, script.guarded, null, copyData)) };
  const { sql, ...first } = await firstBatch(ctx);
  return { ...result, sql: redact(script.sql.step(ctx.step, sql, script.guarded, first)) };
}

/**
 * The first batch of a batch step exactly as the runner would send it now (batchStep.ts): the
 * first key range of its walk, the floor read now for that range, the batch size, and the
 * journal update the runner adds. Each later batch binds its own floor and range.
 */
export async function firstBatch(ctx: StepContext): Promise<FirstBatch & { sql: string }> {
  const { step } = ctx;
  const why = (error: unknown) => describeError(error, ctx);
  let ranges: Awaited<ReturnType<typeof rangesOf>> = [null];
  let rangeError: string | undefined;
  try {
    ranges = await readOnly(ctx.db, () => rangesOf(ctx));
  } catch (error) {
    rangeError = why(error);
  }
  const range = ranges[0] ?? null;
  let floor: FloorBinding | null = null;
  let identifier: string | null = null;
  if (step.header.floor) {
    const literal = slotValues(ctx.body, 'floor')[0] ?? '';
    try {
      const at = await readOnly(ctx.db, () => readWalkPosition(ctx.db, step, ctx.body, range));
      floor = { literal, value: at.floor };
      identifier = at.identifier;
    } catch (error) {
      floor = { literal, value: null, unreadable: rangeError ?? why(error) };
    }
  }
  let total: number | null = null;
  try {
    total = (await readProgress(ctx))?.total ?? null;
  } catch {
    // Its table is made by an earlier step: the journal update shows NULL for the total, as a run would not.
  }
  // ctx.body carries the first batch's size already (the file's, or --batch-size applied by the runner).
  const { sql, oneTrip } = composeBatch(ctx.body, step, { size: null, range, floor: floor?.value ?? null, identifier }, recordCtes(ctx, total));
  return { sql, floor, oneTrip, ranges: step.header.ranges ? (rangeError === undefined ? ranges.filter((r) => r !== null).length : null) : null };
}

async function dryRunResult(ctx: StepContext, redact: (t: string) => string): Promise<StepResult> {
  const { step, db } = ctx;
  const base: StepResult = { step: step.header.number, file: step.file, title: step.header.title, kind: step.header.kind, status: 'done', rows: null, ms: null };
  const started = Date.now();
  try {
    switch (step.header.kind) {
      case 'manual':
        return { ...base, status: 'skipped', wouldTouch: 'asks the person to do it by hand' };
      case 'check':
      case 'wait': {
        const { rows } = await readOnly(db, () => db.query<Record<string, unknown>>(ctx.body));
        const verdict = checkVerdict(rows);
        const hold = step.header.holdSeconds;
        const note = step.header.kind === 'check' ? 'passes' : hold === undefined ? 'would wait until it passes' : `passes now; would hold for ${hold} s, stopping at the first try that fails`;
        return { ...base, status: verdict.ok ? 'done' : 'failed', rows: rows.length, ms: Date.now() - started, wouldTouch: verdict.ok ? note : `fails now: ${verdict.message}`, ...(verdict.ok ? {} : { details: rows }) };
      }
      case 'batch': {
        const p = await readProgress(ctx);
        return { ...base, status: 'skipped', rows: p ? p.total - p.done : null, ms: Date.now() - started, wouldTouch: p ? `${p.total - p.done} of ${p.total} rows left (exact)` : 'repeats until 0 rows' };
      }
      case 'change': {
        if (step.header.copyFrom) {
          const rows = copyRows(ctx.files?.get(step.header.copyFrom) ?? '');
          return { ...base, status: 'skipped', rows, ms: Date.now() - started, wouldTouch: `replaces the working table's rows with the ${rows} lines of ${step.header.copyFrom} (exact)` };
        }
        const estimate = await estimateChange(ctx);
        return { ...base, status: 'skipped', rows: estimate.rows, ms: Date.now() - started, wouldTouch: describeEstimate(estimate) };
      }
    }
  } catch (error) {
    return { ...base, status: 'not-executed', ms: Date.now() - started, message: redact(describeError(error, ctx)), wouldTouch: 'cannot tell until the steps before it have run' };
  }
}
