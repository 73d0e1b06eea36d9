/**
 * The incident record as markdown (pure): runs and who ran them, every step and attempt, check
 * answers, confirmations of manual steps, pauses, lease takeovers and undo runs. Values are
 * printed as recorded (ids as the runbook has them); table cells escape `|` and line breaks only.
 * The password is never recorded (messages are scrubbed before they are stored), so never here.
 */
import { formatMs } from '../runner/report.js';
import { pausedDuring, spanMs, undoId, type Attempt, type IncidentRecord, type RecordStep, type RunEvent } from './incidentRecord.js';

const cell = (v: unknown): string => (v === null || v === undefined || v === '' ? '' : String(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>'));
const row = (cells: unknown[]): string => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: unknown[][]): string[] => [row(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row)];
const when = (d: Date | null | undefined): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
const who = (a: { dbUser: string | null; osUser: string | null; host: string | null }): string =>
  a.dbUser || a.osUser || a.host ? `${a.dbUser ?? '?'} (${a.osUser ?? '?'}@${a.host ?? '?'})` : '';

const byTime = (a: Attempt, b: Attempt) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0) || a.step - b.step || a.attempt - b.attempt;

function stepsTable(steps: readonly RecordStep[], record: IncidentRecord, runbook: string): string[] {
  const rows: unknown[][] = [];
  const errors: string[] = [];
  for (const s of steps.filter((x) => x.runbook === runbook)) {
    const attempts = record.attempts.filter((a) => a.runbook === runbook && a.step === s.number).sort(byTime);
    if (attempts.length === 0) rows.push([s.number, s.kind, s.title, '', 'pending', '', '', '', '', '', '', '']);
    for (const a of attempts) {
      const paused = pausedDuring(a, record.pauses);
      rows.push([s.number, s.kind, s.title, a.attempt, a.status, when(a.startedAt), formatMs(spanMs(a.startedAt, a.endedAt)), paused > 0 ? formatMs(paused) : '', a.rows, a.batches || '', a.confirmedBy ?? '', who(a)]);
      if (a.error) errors.push(`- step ${s.number}, attempt ${a.attempt}: ${a.error.replace(/\r?\n/g, ' ')}`);
    }
  }
  return [...table(['Step', 'Kind', 'Title', 'Attempt', 'Status', 'Started (UTC)', 'Took', 'Paused', 'Rows', 'Batches', 'Confirmed by', 'Who'], rows), ...(errors.length > 0 ? ['', ...errors] : [])];
}

function runsTable(events: readonly RunEvent[]): string[] {
  const runs = events.filter((e) => e.kind === 'run');
  if (runs.length === 0) return ['No run events recorded (runs before this restitch version record none).'];
  return table(
    ['Run', 'Runbook', 'Started (UTC)', 'Ended (UTC)', 'Exit', 'Database user', 'OS user', 'Host'],
    runs.map((r) => {
      const end = events.find((e) => e.kind === 'run-end' && e.runId === r.runId);
      const at = end?.detail.step == null ? '' : `: step ${String(end.detail.step)} ${String(end.detail.status)}${end.detail.message ? `: ${String(end.detail.message)}` : ''}`;
      const exit = end ? `${String(end.detail.exit_code)}${end.detail.stopped_by ? ` (${String(end.detail.stopped_by)})` : ''}${at}` : 'no end recorded';
      return [r.runId.slice(0, 8), r.runbook, when(r.at), when(end?.at), exit, r.detail.db_user, r.detail.os_user, r.detail.host];
    }),
  );
}

function checkSections(record: IncidentRecord, titles: Map<string, string>): string[] {
  const checks = record.events.filter((e) => e.kind === 'check');
  if (checks.length === 0) return ['No check answers recorded.'];
  const out: string[] = [];
  for (const c of checks) {
    const status = String(c.detail.status);
    out.push(`### ${c.runbook} step ${c.step}: ${titles.get(`${c.runbook}/${c.step}`) ?? ''} (${status === 'done' ? 'passed' : status}, ${when(c.at)})`, '');
    if (c.detail.message) out.push(`${String(c.detail.message)}`, '');
    const rows = Array.isArray(c.detail.rows) ? (c.detail.rows as Record<string, unknown>[]) : [];
    if (rows.length > 0) {
      const head = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      out.push(...table(head, rows.map((r) => head.map((k) => (typeof r[k] === 'object' && r[k] !== null ? JSON.stringify(r[k]) : r[k])))), '');
    }
  }
  return out;
}

/** The record as markdown; `svg` is the timeline's file name, linked from the top. */
export function recordMarkdown(record: IncidentRecord, svg: string | null, generatedAt: Date): string {
  const titles = new Map(record.steps.map((s) => [`${s.runbook}/${s.number}`, s.title]));
  const manual = record.attempts.filter((a) => a.confirmedBy && record.steps.find((s) => s.runbook === a.runbook && s.number === a.step)?.kind === 'manual');
  const takeovers = record.events.filter((e) => e.kind === 'takeover');
  const undo = undoId(record.incident);
  const undone = record.attempts.some((a) => a.runbook === undo);
  const lines = [
    `# Incident record: ${record.incident}`,
    '',
    `Scenario ${record.scenario}, dialect ${record.dialect}; read from the working schema \`${record.workSchema}\` (${record.source === 'history' ? 'journal history: every attempt' : record.source === 'journal' ? 'journal: the latest attempt of each step' : 'no journal yet'}) at ${when(generatedAt)}.`,
    '',
    ...(svg ? [`![Timeline: step bars, batch throughput, pauses shaded](${svg})`, ''] : []),
    '## Runs',
    '',
    ...runsTable(record.events),
    '',
    '## Steps',
    '',
    ...stepsTable(record.steps, record, record.incident),
    '',
    '## Checks',
    '',
    ...checkSections(record, titles),
    '',
    '## Manual steps confirmed',
    '',
    ...(manual.length === 0 ? ['None.'] : manual.map((a) => `- step ${a.step} (${titles.get(`${a.runbook}/${a.step}`) ?? ''}): confirmed by ${a.confirmedBy}, ${when(a.startedAt)}${who(a) ? `, ${who(a)}` : ''}`)),
    '',
    '## Pauses',
    '',
    ...(record.pauses.length === 0
      ? ['None.']
      : table(['Runbook', 'Step', 'From (UTC)', 'To (UTC)', 'Paused', 'Why'], record.pauses.map((p) => [p.runbook, p.step, when(p.startedAt), p.endedAt ? when(p.endedAt) : 'not ended (run stopped in it)', formatMs(spanMs(p.startedAt, p.endedAt)), p.reason]))),
    '',
    '## Lease takeovers',
    '',
    ...(takeovers.length === 0 ? ['None.'] : takeovers.map((t) => `- ${when(t.at)}: run ${t.runId.slice(0, 8)} took over the lease of ${String(t.detail.from)}`)),
    '',
    '## Undo',
    '',
    ...(undone ? stepsTable(record.steps, record, undo) : ['The undo runbook was not run.']),
    '',
  ];
  return lines.join('\n');
}
