/**
 * The incident's timeline as an SVG (pure), readable in a pull request without any service:
 * one lane per step that ran, a bar per attempt on a shared time axis (coloured by status),
 * the throughput of every batch (rows per second) as points in a panel below, and pauses shaded
 * across both. Elements carry classes (bar, point, pause, label, tick) so tests count them.
 */
import { formatMs } from '../runner/report.js';
import { spanMs, type Attempt, type IncidentRecord } from './incidentRecord.js';

const WIDTH = 960;
const LEFT = 260;
const RIGHT = 20;
const TOP = 30;
const LANE = 22;
const PANEL = 120;

const COLOURS: Record<string, string> = { done: '#2e7d32', failed: '#c62828', interrupted: '#ef6c00', stopped: '#6a1b9a', running: '#1565c0' };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
const clock = (t: number): string => new Date(t).toISOString().slice(11, 19);

/** The lanes: runbook and step of every attempt that started, in order of first start. */
function lanes(record: IncidentRecord): { key: string; label: string; attempts: Attempt[] }[] {
  const started = record.attempts.filter((a) => a.startedAt).sort((a, b) => (a.startedAt as Date).getTime() - (b.startedAt as Date).getTime());
  const out = new Map<string, { key: string; label: string; attempts: Attempt[] }>();
  for (const a of started) {
    const key = `${a.runbook}/${a.step}`;
    const title = record.steps.find((s) => s.runbook === a.runbook && s.number === a.step)?.title ?? '';
    const undo = a.runbook.endsWith(':undo') ? 'undo ' : '';
    const label = `${undo}${a.step} ${title}`;
    if (!out.has(key)) out.set(key, { key, label: label.length > 40 ? `${label.slice(0, 39)}…` : label, attempts: [] });
    out.get(key)?.attempts.push(a);
  }
  return [...out.values()];
}

export function timelineSvg(record: IncidentRecord): string {
  const rows = lanes(record);
  const batches = record.batches;
  const times = [
    ...record.attempts.flatMap((a) => [a.startedAt, a.endedAt]),
    ...record.pauses.flatMap((p) => [p.startedAt, p.endedAt]),
    ...batches.map((b) => b.endedAt),
  ].filter((d): d is Date => d !== null).map((d) => d.getTime());
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const t1 = Math.max(t0 + 1000, ...times);
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT);
  const lanesBottom = TOP + rows.length * LANE;
  const panelTop = lanesBottom + 30;
  const height = panelTop + PANEL + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`Timeline of incident ${record.incident}`)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text class="heading" x="10" y="18" font-size="13">${esc(`Incident ${record.incident}: steps, batch throughput, pauses (shaded)`)}</text>`,
  ];
  // Pauses first, under everything else; a pause still open runs to the end of the axis.
  for (const p of record.pauses) {
    const from = x(p.startedAt.getTime());
    const to = x(p.endedAt?.getTime() ?? t1);
    out.push(`<rect class="pause" x="${r1(from)}" y="${TOP}" width="${r1(Math.max(1, to - from))}" height="${panelTop + PANEL - TOP}" fill="#9e9e9e" fill-opacity="0.25"><title>${esc(`paused ${formatMs(spanMs(p.startedAt, p.endedAt))}: ${p.reason}`)}</title></rect>`);
  }
  rows.forEach((lane, i) => {
    const y = TOP + i * LANE;
    out.push(`<text class="label" x="${LEFT - 6}" y="${y + 15}" text-anchor="end">${esc(lane.label)}</text>`);
    for (const a of lane.attempts) {
      const from = x((a.startedAt as Date).getTime());
      const to = x((a.endedAt ?? new Date(t1)).getTime());
      const tip = `step ${a.step} attempt ${a.attempt}: ${a.status}, ${formatMs(spanMs(a.startedAt, a.endedAt))}, ${a.rows} rows`;
      out.push(`<rect class="bar" data-status="${esc(a.status)}" x="${r1(from)}" y="${y + 4}" width="${r1(Math.max(2, to - from))}" height="${LANE - 8}" fill="${COLOURS[a.status] ?? '#757575'}"><title>${esc(tip)}</title></rect>`);
    }
  });
  // Throughput: rows per second of each batch at its end (a batch under a millisecond counts as one).
  const rates = batches.map((b) => ({ t: b.endedAt.getTime(), rate: (b.rows * 1000) / Math.max(1, b.endedAt.getTime() - b.startedAt.getTime()), b }));
  const top = Math.max(1, ...rates.map((r) => r.rate));
  out.push(`<text class="label" x="${LEFT - 6}" y="${panelTop + 12}" text-anchor="end">batch throughput (rows/s)</text>`);
  out.push(`<text class="tick" x="${LEFT - 6}" y="${panelTop + PANEL}" text-anchor="end">0</text>`, `<text class="tick" x="${LEFT - 6}" y="${panelTop + 24}" text-anchor="end">${Math.round(top).toLocaleString('en-US')}</text>`);
  out.push(`<line x1="${LEFT}" y1="${panelTop + PANEL}" x2="${WIDTH - RIGHT}" y2="${panelTop + PANEL}" stroke="#bbb"/>`);
  for (const r of rates) {
    const y = panelTop + PANEL - (r.rate / top) * (PANEL - 20);
    out.push(`<circle class="point" cx="${r1(x(r.t))}" cy="${r1(y)}" r="2" fill="#1565c0"><title>${esc(`step ${r.b.step}: ${r.b.rows} rows at ${Math.round(r.rate)} rows/s`)}</title></circle>`);
  }
  // The time axis: five ticks, UTC.
  const axis = panelTop + PANEL + 16;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    out.push(`<text class="tick" x="${r1(x(t))}" y="${axis}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">${clock(t)}</text>`);
  }
  out.push(`<text class="tick" x="${WIDTH - RIGHT}" y="${axis + 14}" text-anchor="end">UTC, ${esc(formatMs(t1 - t0))} in all</text>`, '</svg>', '');
  return out.join('\n');
}
