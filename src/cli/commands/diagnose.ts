/** `restitch diagnose`: a thin handler over src/diagnose (options, connection, output files). */
import { inputError } from '../../core/errors.js';
import { DEFAULT_DIAGNOSE_OPTIONS, diagnose, type DiagnoseOptions } from '../../diagnose/diagnose.js';
import { actionable } from '../../diagnose/finding.js';
import { parseNormalisations } from '../../diagnose/normaliseIdentifier.js';
import { ENTITIES_FILE_MARKER, entitiesFileText, reportJson, reportText, suggest } from '../../diagnose/report.js';
import { checkOwnOutput, writeOwnOutput } from '../../io/ownOutput.js';
import { legacyOnPostgres, schemaOption, wholeOption, withSource } from '../readSource.js';

/** Runs the diagnosis; returns the text to print and the exit code (0 nothing found, 1 found). */
export async function diagnoseCommand(o: Record<string, unknown>): Promise<{ text: string; exitCode: 0 | 1 }> {
  const schema = schemaOption(o.schema);
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
    normalisations: parseNormalisations(o.normalise as string | undefined),
    minEvents: wholeOption('--min-events', o.minEvents, DEFAULT_DIAGNOSE_OPTIONS.minEvents),
    maxIdentifiers: wholeOption('--max-identifiers', o.maxIdentifiers, DEFAULT_DIAGNOSE_OPTIONS.maxIdentifiers),
    maxEntitiesPerValue: wholeOption('--max-entities-per-value', o.maxEntitiesPerValue, DEFAULT_DIAGNOSE_OPTIONS.maxEntitiesPerValue),
    sample: wholeOption('--sample', o.sample, DEFAULT_DIAGNOSE_OPTIONS.sample),
    sampleEvents: wholeOption('--sample-events', o.sampleEvents, DEFAULT_DIAGNOSE_OPTIONS.sampleEvents),
    timeoutMs: wholeOption('--statement-timeout-seconds', o.statementTimeoutSeconds, DEFAULT_DIAGNOSE_OPTIONS.timeoutMs / 1000) * 1000,
  };
  if (o.maxSeconds !== undefined) options.maxSeconds = wholeOption('--max-seconds', o.maxSeconds, 0);
  const { findings, skipped, warnings, dialectName } = await withSource(o.db as string | undefined, 'diagnose', async (client, dialect) => {
    legacyOnPostgres(schema, dialect);
    const diagnosis = await diagnose(client, { ...options, dialect, onCost: (line) => process.stderr.write(`${line}\n`) });
    return { ...diagnosis, dialectName: dialect };
  });
  const suggestion = suggest(findings, dialectName, incident, out ?? 'FILE', schema);
  if (out !== undefined && suggestion.entities.length > 0) writeOwnOutput(out, entitiesFileText(findings), checkOwnOutput(out, ENTITIES_FILE_MARKER, o.force === true, '--out'));
  let text = o.json === true ? reportJson(findings, suggestion, skipped, warnings) : reportText(findings, suggestion, skipped, warnings);
  if (o.json !== true && out === undefined && suggestion.command) text += '  (write FILE with: restitch diagnose --out FILE)\n';
  if (o.json !== true && out !== undefined && suggestion.command) text += `  (${out} lists the ${suggestion.entities.length} entities; review it first)\n`;
  // Stopped early, or a warning, is no clean bill: exit 1, as when something is found.
  return { text, exitCode: actionable(findings).length > 0 || skipped.length > 0 || warnings.length > 0 ? 1 : 0 };
}
