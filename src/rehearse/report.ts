/** The rehearsal as a table for people and as JSON for tools. */
import { rehearsalPasses, type Rehearsal } from './rehearse.js';

const n = (v: number) => v.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** `{"before", "after", "merged", "split", "unstitchedEvents", "orphanedEvents"}` first, then the details. */
export function rehearsalJson(r: Rehearsal): string {
  const { before, after, merged, split, unstitchedEvents, orphanedEvents, ...details } = r;
  return `${JSON.stringify({ before, after, merged, split, unstitchedEvents, orphanedEvents, passed: rehearsalPasses(r), ...details }, null, 2)}\n`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

export function rehearsalText(r: Rehearsal): string {
  const lines = table([
    ['', 'BEFORE', 'AFTER'],
    ['entities', n(r.before.entities), n(r.after.entities)],
    ['largest entity, events', n(r.before.largestEntityEvents), n(r.after.largestEntityEvents)],
    ['largest entity, identifiers', n(r.before.largestEntityIdentifiers), n(r.after.largestEntityIdentifiers)],
  ]);
  lines.push('');
  lines.push(`merged (splits healed): ${n(r.merged)} (entities that now hold the events of two or more)`);
  lines.push(`split (glue removed): ${n(r.split)} (entities whose events now belong to two or more)`);
  lines.push(`events left unstitched (no identifier under the rule): ${n(r.unstitchedEvents)}`);
  lines.push(`events orphaned (lost): ${n(r.orphanedEvents)}${r.orphanExamples.length > 0 ? `, e.g. ${r.orphanExamples.join(' ')}` : ''}`);
  if (r.missing.length > 0) lines.push(`not in the source: ${r.missing.length} chosen entities, e.g. ${r.missing.slice(0, 5).join(' ')}`);
  lines.push('');
  lines.push(...table([['STEP', 'ON THE COPY', 'IN PRODUCTION'], ...r.steps.map((s) => [s.step, seconds(s.ms), s.production === null || s.production === undefined ? '-' : `~${seconds(s.production)}`])]));
  lines.push(`(${r.extrapolation.assumption})`);
  lines.push('');
  if (r.runbookExitCode !== 0) lines.push(`FAILED: the runbook did not finish on the copy: ${r.runbookMessage ?? ''}`);
  for (const g of r.giants) lines.push(`FAILED: entity ${g.entity} is still giant under the rule (${n(g.events)} events, ${n(g.identifiers)} identifiers)`);
  if (r.orphanedEvents > 0) lines.push(`FAILED: the rule loses ${n(r.orphanedEvents)} events`);
  if (rehearsalPasses(r)) lines.push('PASSED: on the copy the runbook finished, no entity is left giant and no event is lost.');
  return `${lines.join('\n')}\n`;
}
