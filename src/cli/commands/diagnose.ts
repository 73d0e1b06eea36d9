/** `restitch diagnose`: a thin handler over src/diagnose (options, connection, output files). */
import pg from 'pg';
import { detectDialect } from '../../core/dialects/index.js';
import { inputError, RestitchError } from '../../core/errors.js';
import { DEFAULT_DIAGNOSE_OPTIONS, diagnose, type DiagnoseOptions } from '../../diagnose/diagnose.js';
import { actionable, type Finding } from '../../diagnose/finding.js';
import { ENTITIES_FILE_MARKER, entitiesFileText, reportJson, reportText, suggest } from '../../diagnose/report.js';
import { checkOwnOutput, writeOwnOutput } from '../../io/ownOutput.js';
import { connectionTarget } from '../../runner/connection.js';
import { missingGrant } from '../../runner/missingGrant.js';

function whole(flag: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n) || n < 1) throw inputError(`${flag} must be a whole number of at least 1, not '${String(raw)}'`);
  return n;
}

/** Runs the diagnosis; returns the text to print and the exit code (0 nothing found, 1 found). */
export async function diagnoseCommand(o: Record<string, unknown>): Promise<{ text: string; exitCode: 0 | 1 }> {
  const schema = (o.schema as string | undefined) ?? 'current';
  if (schema !== 'current' && schema !== 'legacy') throw inputError(`--schema must be current or legacy, not '${schema}'`);
  const payloadField = (o.payloadField as string | undefined) ?? DEFAULT_DIAGNOSE_OPTIONS.payloadField;
  if (payloadField.trim() === '') throw inputError('--payload-field must name a payload field');
  const incident = (o.incident as string | undefined) ?? `diagnosed-${new Date().toISOString().slice(0, 10)}`;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(incident) || incident.length > 32) {
    throw inputError(`--incident '${incident}' must be lower-case letters and digits joined by single '-', at most 32 characters`);
  }
  const out = o.out as string | undefined;
  // Checked before connecting, and again just before writing.
  if (out !== undefined) checkOwnOutput(out, ENTITIES_FILE_MARKER, o.force === true, '--out');
  const options: Omit<DiagnoseOptions, 'dialect'> = {
    schema,
    payloadField,
    junk: (o.junk as string[] | undefined) ?? [],
    minEvents: whole('--min-events', o.minEvents, DEFAULT_DIAGNOSE_OPTIONS.minEvents),
    maxIdentifiers: whole('--max-identifiers', o.maxIdentifiers, DEFAULT_DIAGNOSE_OPTIONS.maxIdentifiers),
    maxEntitiesPerValue: whole('--max-entities-per-value', o.maxEntitiesPerValue, DEFAULT_DIAGNOSE_OPTIONS.maxEntitiesPerValue),
    sample: whole('--sample', o.sample, DEFAULT_DIAGNOSE_OPTIONS.sample),
    sampleEvents: whole('--sample-events', o.sampleEvents, DEFAULT_DIAGNOSE_OPTIONS.sampleEvents),
    timeoutMs: whole('--statement-timeout-seconds', o.statementTimeoutSeconds, DEFAULT_DIAGNOSE_OPTIONS.timeoutMs / 1000) * 1000,
  };
  if (o.maxSeconds !== undefined) options.maxSeconds = whole('--max-seconds', o.maxSeconds, 0);
  const target = connectionTarget(o.db as string | undefined, process.env);
  const client = new pg.Client(target.config);
  client.on('error', () => {});
  let findings: Finding[];
  let skipped: string[];
  let warnings: string[];
  let dialectName: 'postgres' | 'cockroachdb';
  try {
    await client.connect();
    const version = String((await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '');
    const dialect = detectDialect(version);
    if (!dialect) throw inputError(`${target.label} is neither PostgreSQL nor CockroachDB (${version.slice(0, 60)})`);
    dialectName = dialect.name;
    if (schema === 'legacy' && dialect.name !== 'postgres') throw inputError('--schema legacy is a PostgreSQL schema (legacy-steps); this server is CockroachDB');
    ({ findings, skipped, warnings } = await diagnose(client, { ...options, dialect: dialect.name, onCost: (line) => process.stderr.write(`${line}\n`) }));
  } catch (error) {
    if (error instanceof RestitchError) throw error;
    const grant = missingGrant(error, target.label.split('@')[0], true);
    throw new RestitchError(`diagnose on ${target.label} failed: ${target.redact((error as Error).message)}${grant ? `; ${grant}` : ''}`, 1);
  } finally {
    await client.end().catch(() => {});
  }
  const suggestion = suggest(findings, dialectName, incident, out ?? 'FILE', schema);
  if (out !== undefined && suggestion.entities.length > 0) writeOwnOutput(out, entitiesFileText(findings), checkOwnOutput(out, ENTITIES_FILE_MARKER, o.force === true, '--out'));
  let text = o.json === true ? reportJson(findings, suggestion, skipped, warnings) : reportText(findings, suggestion, skipped, warnings);
  if (o.json !== true && out === undefined && suggestion.command) text += '  (write FILE with: restitch diagnose --out FILE)\n';
  if (o.json !== true && out !== undefined && suggestion.command) text += `  (${out} lists the ${suggestion.entities.length} entities; review it first)\n`;
  // Stopped early, or a warning, is no clean bill: exit 1, as when something is found.
  return { text, exitCode: actionable(findings).length > 0 || skipped.length > 0 || warnings.length > 0 ? 1 : 0 };
}
