/**
 * The acceptance run: before anything changes (`run --dry-run`, and a real run before its first
 * step), prove on the target itself, read-only, what a run will meet: the server and the settings
 * that change behaviour, the assumptions a query can settle, the CPS guard, the grants each step
 * needs, each check wherever its facts do not wait for an earlier step, and the plan of every
 * statement with its values bound. Nothing is written: reads run with the session read-only,
 * EXPLAIN (never ANALYZE) in a transaction rolled back.
 */
import type { Dialect } from '../core/dialects/index.js';
import { getScenario } from '../core/scenarios/index.js';
import { readOnly, type StepContext } from '../runner/executors.js';
import type { Db } from '../runner/connection/session.js';
import type { RunStep } from '../runner/types.js';
import { acceptanceReport, type AcceptanceItem, type AcceptanceReport } from './report.js';
import { assumptionItems, privilegeItems, sessionItems, settingItems } from './serverProbes.js';
import { checkItems, planItems, type StepProbeOptions } from './stepProbes.js';
import { stepTables } from './stepTables.js';

/** `--max-scan-rows` when not given. */
export const DEFAULT_MAX_SCAN_ROWS = 100_000;

/** What the acceptance run is given by the runner. */
export interface AcceptanceInput {
  db: Db;
  dialect: Dialect;
  /** `SELECT version()`. */
  version: string;
  scenario: string;
  workSchema: string;
  /** The steps this invocation runs, in order. */
  run: readonly RunStep[];
  /** Each step's body as it will run (with --batch-size applied). */
  bodies: ReadonlyMap<number, string>;
  maxScanRows: number;
  /** Some step of the run changes data while CPS must be off (the runner checks for CPS sessions before it). */
  cpsGuarded: boolean;
  /**
   * Evaluate the checks now (a dry run). A real run runs each check as its own step before anything
   * after it changes, and its own CPS guard before anything at all.
   */
  checks: boolean;
  /** The context the runner gives a step (a batch step's first batch is composed from it). */
  contextOf: (step: RunStep) => StepContext;
}

/** The scenario's steps declared to read whole platform tables, by slug, with why. */
export function declaredFullScans(scenario: string): Readonly<Record<string, string>> {
  try {
    return getScenario(scenario).fullScans ?? {};
  } catch {
    return {};
  }
}

export async function runAcceptance(input: AcceptanceInput): Promise<AcceptanceReport> {
  const { db, dialect } = input;
  const items: AcceptanceItem[] = [{ area: 'server', verdict: 'info', subject: 'version', detail: input.version }];
  const tables = await stepTables(input.run, input.bodies, dialect);
  // The settings as the session has them, before the read-only guard turns one of them on.
  items.push(...(await settingItems(db, dialect)));
  await readOnly(db, async () => {
    items.push(...(await assumptionItems(db, dialect)), ...(await sessionItems(db, dialect, input.cpsGuarded)));
    items.push(...(await privilegeItems(db, dialect, tables, input.workSchema)));
  });
  const o: StepProbeOptions = { workSchema: input.workSchema, maxScanRows: input.maxScanRows, fullScans: declaredFullScans(input.scenario) };
  const sizes = new Map<string, number | null>();
  for (const [index, step] of input.run.entries()) {
    const ctx = input.contextOf(step);
    if (input.checks && (step.header.kind === 'check' || step.header.kind === 'wait')) items.push(...(await checkItems(ctx, tables, index)));
    items.push(...(await planItems(ctx, tables, index, o, sizes)));
  }
  return acceptanceReport(dialect.name, input.version, input.maxScanRows, items);
}

/** The steps whose every statement the acceptance run explained (a real run explains the others just before it runs them). */
export function explainedSteps(report: AcceptanceReport | null): Set<number> {
  const plans = (report?.items ?? []).filter((i) => i.area === 'plan' && i.step !== undefined);
  const pending = new Set(plans.filter((i) => i.verdict === 'later').map((i) => i.step));
  return new Set(plans.map((i) => i.step as number).filter((n) => !pending.has(n)));
}

/**
 * A change or batch step's plans, judged just before a real run runs it, when the acceptance run
 * did not explain them (they needed the steps before it, or the run resumed). Returns the
 * whole-table reads that refuse it; an error while planning is left to the step itself, which
 * meets it again and retries what is transient.
 */
export async function refusedPlans(ctx: StepContext, scenario: string, workSchema: string, maxScanRows: number): Promise<AcceptanceItem[]> {
  const items = await planItems(ctx, [], 0, { workSchema, maxScanRows, fullScans: declaredFullScans(scenario) }, new Map());
  return items.filter((i) => i.verdict === 'fail' && i.table !== undefined);
}
