/**
 * The probes of each step: its checks evaluated now wherever their facts do not wait for an
 * earlier step, and every statement it sends EXPLAINed with its values bound as the runner sends
 * them (a batch step's first batch from dryRun.ts firstBatch, which composes it with composeBatch),
 * each plan judged for a whole-table read of a platform table.
 */
import { checkVerdict, readOnly, type StepContext } from '../runner/executors.js';
import { explainRolledBack, firstBatch, statementsOf } from '../runner/dryRun.js';
import { floorParams } from '../runner/batch/batchStep.js';
import type { RunStep } from '../runner/types.js';
import { checkMembers } from './checkMembers.js';
import { fullScans, tableRows } from './planScans.js';
import type { AcceptanceItem } from './report.js';
import { errorText } from './serverProbes.js';
import { blockers, describeBlockers, tablesOf, type StepTables } from './stepTables.js';
import { isPlatformTable } from './tables.js';

type Row = Record<string, unknown>;

/** What the step probes need besides the step: the runbook's work schema, the limit, the declared full scans. */
export interface StepProbeOptions {
  workSchema: string;
  maxScanRows: number;
  /** Steps (by slug) the scenario declares to read whole tables, and why. */
  fullScans: Readonly<Record<string, string>>;
}

const MISSING = new Set(['42P01', '3F000', '42703']);
const missing = (error: unknown) => MISSING.has(String((error as { code?: unknown }).code));

/** Which earlier step makes what an error says is missing (or the steps before it, in general). */
function madeBy(error: unknown, all: readonly StepTables[], index: number): string {
  const name = /relation "([^"]+)"/.exec(errorText(error))?.[1]?.toLowerCase();
  const maker = name ? all.slice(0, index).find((t) => t.defines.includes(name) || t.defines.some((d) => d.endsWith(`.${name}`))) : undefined;
  return maker ? `made by step ${maker.step.header.number} (${maker.step.file})` : 'made by a step before it or by the runner when the run starts';
}

const base = (step: RunStep) => ({ step: step.header.number, file: step.file });

/** A check or wait evaluated part by part, read-only: each part whose tables no earlier step of the run changes. */
export async function checkItems(ctx: StepContext, all: readonly StepTables[], index: number): Promise<AcceptanceItem[]> {
  const items: AcceptanceItem[] = [];
  for (const member of checkMembers(ctx.body)) {
    const waits = blockers((await tablesOf(member, ctx.dialect)).reads, all, index);
    if (waits.length > 0) {
      const name = /'([^']+)' AS check_name/.exec(member)?.[1] ?? ctx.step.header.title;
      items.push({ area: 'check', verdict: 'later', ...base(ctx.step), subject: name, detail: `settled once the steps before it have run: ${describeBlockers(waits)}` });
      continue;
    }
    try {
      const rows = (await readOnly(ctx.db, () => ctx.db.query<Row>(member))).rows;
      const verdict = checkVerdict(rows);
      if (rows.length === 0) items.push({ area: 'check', verdict: 'fail', ...base(ctx.step), subject: ctx.step.header.title, detail: verdict.message });
      for (const row of rows) {
        const subject = String(row.check_name ?? ctx.step.header.title);
        items.push({ area: 'check', verdict: row.ok === true ? 'info' : 'fail', ...base(ctx.step), subject, detail: `${row.ok === true ? 'passes' : 'would fail'}${row.detail === undefined ? '' : `: ${String(row.detail)}`}` });
      }
    } catch (error) {
      items.push({ area: 'check', verdict: missing(error) ? 'later' : 'fail', ...base(ctx.step), subject: ctx.step.header.title, detail: missing(error) ? `not yet: ${errorText(error)}, ${madeBy(error, all, index)}` : `fails: ${errorText(error)}` });
    }
  }
  return items;
}

/** The statements a step sends, bound as the runner binds them, each with a label. */
async function statementsSent(ctx: StepContext): Promise<{ label: string; sql: string; params?: unknown[] }[]> {
  const { header } = ctx.step;
  if (header.kind === 'manual' || header.copyFrom) return [];
  if (header.kind === 'batch') {
    const first = await firstBatch(ctx);
    return [
      ...(header.progress ? [{ label: 'progress query', sql: header.progress }] : []),
      ...(header.ranges ? [{ label: 'ranges query', sql: header.ranges }] : []),
      ...(header.floor ? [{ label: 'floor query', sql: header.floor, params: floorParams(ctx.step, null) }] : []),
      { label: 'first batch', sql: first.sql },
    ];
  }
  const statements = (await statementsOf(ctx.body, ctx.dialect)).filter((s) => ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'SelectStmt'].includes(s.kind));
  return statements.map((s, i) => ({ label: statements.length > 1 ? `statement ${i + 1}` : 'statement', sql: s.sql }));
}

/** EXPLAIN of every statement of the step; a whole read of a platform table above the limit fails unless declared. */
export async function planItems(ctx: StepContext, all: readonly StepTables[], index: number, o: StepProbeOptions, sizes: Map<string, number | null>): Promise<AcceptanceItem[]> {
  const explain = ctx.dialect.server.explain;
  const items: AcceptanceItem[] = [];
  const sizeOf = async (table: string) => {
    if (!sizes.has(table)) sizes.set(table, await explainRolledBack(ctx.db, explain.prefix, `SELECT * FROM ${table}`).then((r) => tableRows(r, explain), () => null));
    return sizes.get(table) ?? null;
  };
  let sent: Awaited<ReturnType<typeof statementsSent>>;
  try {
    sent = await statementsSent(ctx);
  } catch (error) {
    return [{ area: 'plan', verdict: 'fail', ...base(ctx.step), subject: 'its statements', detail: `cannot be composed: ${errorText(error)}` }];
  }
  const declared = o.fullScans[ctx.step.slug];
  let clean = 0;
  for (const s of sent) {
    let plan: Row[];
    try {
      plan = await explainRolledBack(ctx.db, explain.prefix, s.sql.replace(/;\s*$/, ''), s.params);
    } catch (error) {
      items.push(missing(error)
        ? { area: 'plan', verdict: 'later', ...base(ctx.step), subject: s.label, detail: `not yet explainable: ${errorText(error)}, ${madeBy(error, all, index)}` }
        : { area: 'plan', verdict: 'fail', ...base(ctx.step), subject: s.label, detail: `the server refuses to plan it: ${errorText(error)}` });
      continue;
    }
    const whole = [];
    for (const scan of fullScans(plan, explain).filter((f) => isPlatformTable(f.table, o.workSchema))) {
      const rows = (await sizeOf(scan.table)) ?? scan.estimate;
      if (rows !== null && rows <= o.maxScanRows) continue;
      whole.push({ scan, rows });
    }
    if (whole.length === 0) clean += 1;
    // A plan that joins working tables earlier steps of the run fill is planned now for them empty:
    // provisional, judged again just before the step runs.
    const waits = whole.length > 0 && !declared ? blockers((await tablesOf(s.sql, ctx.dialect)).reads, all, index) : [];
    for (const { scan, rows } of whole) {
      const size = rows === null ? 'of unknown size' : `of ~${rows.toLocaleString('en-US')} rows (planner estimate)`;
      const found = `reads the whole of ${scan.table}, ${size}`;
      items.push({
        area: 'plan', ...base(ctx.step), subject: s.label, table: scan.table, planLine: scan.line,
        ...(declared ? { verdict: 'info' as const, detail: `${found}, as declared: ${declared}; plan: ${scan.line}` }
        : waits.length > 0 ? { verdict: 'later' as const, detail: `planned now, its plan ${found} (plan: ${scan.line}), but it reads tables that earlier steps fill (${describeBlockers(waits)}): judged again just before it runs` }
        : { verdict: 'fail' as const, detail: `${found}, above --max-scan-rows ${o.maxScanRows}; plan: ${scan.line}. Its work must be proportional to the chosen entities: check the indexes the runbook relies on (runbook.md), or raise --max-scan-rows if this is expected` }),
      });
    }
  }
  if (clean > 0) items.push({ area: 'plan', verdict: 'info', ...base(ctx.step), subject: `${clean} of ${sent.length} statement(s)`, detail: `explained with their values bound; no whole read of a platform table above ${o.maxScanRows} rows` });
  return items;
}
