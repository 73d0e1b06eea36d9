/**
 * The acceptance report: one item per fact probed, each with a verdict, and the text a person
 * reads. Pure.
 */

/**
 * - `fail`: the run would fail or do what it must not (a check fails, a grant is missing, a plan
 *   reads a whole large platform table); the acceptance fails.
 * - `warn`: changes behaviour, worth knowing before the run; does not fail it.
 * - `info`: what was found.
 * - `later`: cannot be settled before the steps before it have run (named in `detail`).
 */
export type Verdict = 'fail' | 'warn' | 'info' | 'later';

/** What an item is about. */
export type Area = 'server' | 'setting' | 'assumption' | 'sessions' | 'privilege' | 'check' | 'plan';

/** One fact probed on the target. */
export interface AcceptanceItem {
  area: Area;
  verdict: Verdict;
  /** What was probed: a setting's name, a grant, a check's name, a statement. */
  subject: string;
  /** What was found, and for a failure what to do. */
  detail: string;
  /** The step it concerns, if one. */
  step?: number;
  /** That step's file. */
  file?: string;
  /** A plan item: the platform table read whole and the plan line that says so. */
  table?: string;
  planLine?: string;
}

/** The whole acceptance run (what `--json` carries as `acceptance`). */
export interface AcceptanceReport {
  ok: boolean;
  dialect: string;
  version: string;
  /** The largest platform table (planner's estimate of rows) a bounded step may read whole. */
  maxScanRows: number;
  items: AcceptanceItem[];
}

/** The report from its items: ok unless an item fails. */
export function acceptanceReport(dialect: string, version: string, maxScanRows: number, items: AcceptanceItem[]): AcceptanceReport {
  return { ok: !items.some((i) => i.verdict === 'fail'), dialect, version, maxScanRows, items };
}

const LABEL: Record<Verdict, string> = { fail: 'FAIL', warn: 'warn', info: 'ok  ', later: 'later' };
const ORDER: Area[] = ['server', 'setting', 'assumption', 'sessions', 'privilege', 'check', 'plan'];

/** One line of an item: `FAIL step 8 (08-export-events.sql): plan: ...`. */
export function itemLine(i: AcceptanceItem): string {
  const where = i.step === undefined ? '' : `step ${i.step}${i.file ? ` (${i.file})` : ''}: `;
  return `${LABEL[i.verdict]} ${where}${i.area}: ${i.subject}: ${i.detail}`;
}

/** The report as text: the failures first (so the cause is on top), then every item by area. */
export function formatAcceptance(r: AcceptanceReport): string {
  const failed = r.items.filter((i) => i.verdict === 'fail');
  const later = r.items.filter((i) => i.verdict === 'later').length;
  const head = r.ok
    ? `acceptance on ${r.version}: passed (read-only; ${r.items.length} facts probed${later > 0 ? `, ${later} to settle once the steps before them have run` : ''})`
    : `acceptance on ${r.version}: FAILED: ${failed.length} of ${r.items.length} facts would stop or endanger the run; nothing was changed`;
  const sorted = [...r.items].filter((i) => i.verdict !== 'later' && i.verdict !== 'fail').sort((a, b) => ORDER.indexOf(a.area) - ORDER.indexOf(b.area) || (a.step ?? 0) - (b.step ?? 0));
  const lines = [head, ...failed.map((i) => `  ${itemLine(i)}`), ...(failed.length > 0 ? ['  the other facts:'] : []), ...sorted.map((i) => `  ${itemLine(i)}`), ...laterLines(r.items)];
  return `${lines.join('\n')}\n`;
}

/** The facts that wait for earlier steps, one line per step: what waits, and the first reason. */
function laterLines(items: readonly AcceptanceItem[]): string[] {
  const byStep = new Map<number, AcceptanceItem[]>();
  for (const i of items) if (i.verdict === 'later') byStep.set(i.step ?? 0, [...(byStep.get(i.step ?? 0) ?? []), i]);
  return [...byStep.values()].map((list) => {
    const first = list[0]!;
    const what = [...new Set(list.map((i) => (i.area === 'plan' ? `plan of its ${i.subject}` : `check '${i.subject}'`)))].join(', ');
    return `  ${LABEL.later} step ${first.step ?? '?'}${first.file ? ` (${first.file})` : ''}: ${what}: ${first.detail}`;
  });
}

/** One sentence for a refusal: the failures, each naming its step, table and plan line. */
export function refusal(r: AcceptanceReport): string {
  return r.items.filter((i) => i.verdict === 'fail').map(itemLine).join('; ');
}
