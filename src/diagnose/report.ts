/**
 * The diagnosis for people (a table, worst first), for tools (JSON), and for `generate`
 * (an entities file and the command that takes it). Pure: strings in, strings out.
 */
import type { DialectName } from '../core/types.js';
import { actionable, type Finding } from './finding.js';

/** What diagnose suggests running next. */
export interface Suggestion {
  /** multi-entity on the current schema, legacy-steps on the legacy one. */
  scenario: 'multi-entity' | 'legacy-steps';
  /** The entities to reset, in the order of the findings (worst first), each once. */
  entities: string[];
  /** The exact command, or null when nothing calls for a reset. */
  command: string | null;
  /** Legacy schema: the orphan-recovery command when events are left unmatched and unqueued, else null. */
  orphanCommand: string | null;
}

/** Quotes a shell word when it needs it. */
const shellWord = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The entities of the actionable findings, each once, worst finding first. */
export function entitiesToReset(findings: readonly Finding[]): string[] {
  return [...new Set(actionable(findings).flatMap((f) => f.entities))];
}

/**
 * The next command: multi-entity over the entities file (legacy-steps on the legacy schema). It
 * resets every event of a chosen entity, so it covers glued and giant entities and both halves
 * of a split customer. (A reset of most of the data is a full-reset decision a person takes;
 * the event counts in the report are there for it.) Orphaned legacy events belong to no entity:
 * orphan-recovery queues them, in a runbook of its own.
 */
export function suggest(findings: readonly Finding[], dialect: DialectName, incident: string, entitiesFile: string, schema: 'current' | 'legacy' = 'current'): Suggestion {
  const entities = entitiesToReset(findings);
  const scenario = schema === 'legacy' ? 'legacy-steps' : 'multi-entity';
  const command = entities.length === 0
    ? null
    : ['restitch', 'generate', scenario, '--dialect', dialect, '--incident', incident, '--entities-file', entitiesFile].map(shellWord).join(' ');
  const orphans = findings.some((f) => f.kind === 'orphaned-events');
  const orphanCommand = orphans ? ['restitch', 'generate', 'orphan-recovery', '--dialect', dialect, '--incident', `${incident.slice(0, 24).replace(/-$/, '')}-orphans`].map(shellWord).join(' ') : null;
  return { scenario, entities, command, orphanCommand };
}

/** How an entities file diagnose wrote starts: `--force` replaces only a file that starts so. */
export const ENTITIES_FILE_MARKER = '# restitch diagnose: entities to reset';

/** The entities file `generate --entities-file` reads: a `#` comment per finding, one id a line, each id once. */
export function entitiesFileText(findings: readonly Finding[]): string {
  const seen = new Set<string>();
  const lines = [`${ENTITIES_FILE_MARKER}, worst finding first`];
  for (const f of actionable(findings).filter((x) => x.entities.length > 0)) {
    const fresh = f.entities.filter((id) => !seen.has(id));
    lines.push(`# ${f.severity}: ${oneLine(f.title)} (${evidenceText(f)})${fresh.length < f.entities.length ? `; ${f.entities.length - fresh.length} listed above` : ''}`);
    for (const id of fresh) {
      seen.add(id);
      lines.push(id);
    }
  }
  return `${lines.join('\n')}\n`;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

function evidenceText(f: Finding): string {
  const parts = Object.entries(f.evidence).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`);
  return `${f.estimate ? '~' : ''}${f.capped ? 'at least ' : ''}${parts.join(', ')}${f.estimate ? ` (${f.estimate})` : ''}`;
}

/** The readable report: one block per finding, worst first, then the suggested command. */
export function reportText(findings: readonly Finding[], suggestion: Suggestion, skipped: readonly string[] = [], warnings: readonly string[] = []): string {
  const stopped =
    (skipped.length === 0 ? '' : `--max-seconds ran out: not looked for: ${skipped.join(', ')}; the findings are those found so far.\n`) +
    warnings.map((w) => `warning: ${oneLine(w)}\n`).join('');
  if (findings.length === 0) return `${stopped}restitch diagnose: nothing found${skipped.length > 0 ? ' so far' : ''}${warnings.length > 0 ? ', but see the warning: this is no clean bill' : ''}\n`;
  const rows = findings.map((f) => [f.severity.toUpperCase(), oneLine(f.title), evidenceText(f), f.examples.map(oneLine).join('; ')]);
  const head = ['SEVERITY', 'FINDING', 'EVIDENCE', 'EXAMPLES'];
  const widths = head.slice(0, 3).map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join('  ').trimEnd();
  const out = [...(stopped ? [stopped.trimEnd()] : []), line(head), ...rows.map(line), ''];
  const n = actionable(findings).length;
  if (suggestion.command || suggestion.orphanCommand) {
    out.push(`${n} finding(s) call for a reset${suggestion.command ? ` of ${suggestion.entities.length} entit${suggestion.entities.length === 1 ? 'y' : 'ies'}` : ''}. Next:`);
    if (suggestion.command) out.push(`  ${suggestion.command}`);
    if (suggestion.orphanCommand) out.push(`  ${suggestion.orphanCommand}    # queues the orphaned events`);
  } else if (warnings.length > 0) {
    out.push('Nothing found calls for a reset, but see the warning above: this is no clean bill.');
  } else {
    out.push('Nothing calls for a reset; the INFO lines are pitfalls to know before a runbook runs.');
  }
  return `${out.join('\n')}\n`;
}

/** The JSON report for tools. */
export function reportJson(findings: readonly Finding[], suggestion: Suggestion, skipped: readonly string[] = [], warnings: readonly string[] = []): string {
  return `${JSON.stringify({ findings, suggestion, skipped, warnings }, null, 2)}\n`;
}
