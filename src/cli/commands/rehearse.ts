/** `restitch rehearse`: a thin handler over src/rehearse (options, the source connection, output). */
import { inputError } from '../../core/errors.js';
import { validateInputs } from '../../core/inputs.js';
import { DEFAULT_DIAGNOSE_OPTIONS } from '../../diagnose/diagnose.js';
import { parseNormalisations } from '../../diagnose/normaliseIdentifier.js';
import { rehearsalJson, rehearsalText } from '../../rehearse/report.js';
import { DEFAULT_REHEARSE_MAX_EVENTS, rehearsalPasses, rehearse } from '../../rehearse/rehearse.js';
import { legacyOnPostgres, schemaOption, wholeOption, withSource } from '../readSource.js';
import { readEntitiesFile } from './generate.js';

/** Runs the rehearsal; the text to print and the exit code (0 the rule passed, 1 it did not). */
export async function rehearseCommand(o: Record<string, unknown>): Promise<{ text: string; exitCode: 0 | 1 }> {
  const schema = schemaOption(o.schema);
  const entity = (o.entity as string[] | undefined) ?? [];
  const file = o.entitiesFile as string | undefined;
  if ((file === undefined) === (entity.length === 0)) throw inputError('rehearse needs the entities: --entities-file FILE or --entity ID (repeatable), one of the two');
  // The runbook of the copy: the same entities, the PostgreSQL dialect of the same schema.
  const inputs = await validateInputs({
    scenario: schema === 'legacy' ? 'legacy-steps' : 'multi-entity',
    dialect: 'postgres',
    incident: 'rehearse',
    ...(file === undefined ? { entity } : { entitiesFile: readEntitiesFile(file) }),
  });
  const options = {
    schema,
    junk: (o.junk as string[] | undefined) ?? [],
    normalisations: parseNormalisations(o.normalise as string | undefined),
    maxEvents: wholeOption('--max-events', o.maxEvents, DEFAULT_REHEARSE_MAX_EVENTS),
    minEvents: wholeOption('--min-events', o.minEvents, DEFAULT_DIAGNOSE_OPTIONS.minEvents),
    maxIdentifiers: wholeOption('--max-identifiers', o.maxIdentifiers, DEFAULT_DIAGNOSE_OPTIONS.maxIdentifiers),
    timeoutMs: wholeOption('--statement-timeout-seconds', o.statementTimeoutSeconds, DEFAULT_DIAGNOSE_OPTIONS.timeoutMs / 1000) * 1000,
  };
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const rehearsal = await withSource(o.db as string | undefined, 'rehearse', async (client, dialect) => {
    legacyOnPostgres(schema, dialect);
    return rehearse(client, { ...options, dialect, inputs, onCost: say, say });
  });
  return { text: o.json === true ? rehearsalJson(rehearsal) : rehearsalText(rehearsal), exitCode: rehearsalPasses(rehearsal) ? 0 : 1 };
}
