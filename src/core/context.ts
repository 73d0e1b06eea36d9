/**
 * The values a step template sees. Everything that reaches SQL here is already rendered by
 * a helper from sql.ts (identifiers, literals) or is a validated number; raw user text is
 * only offered through the `lit` helper.
 */
import type { Dialect } from './dialects/index.js';
import { ENTITIES_FILE } from './entitiesFile.js';
import type { EntityColumn, Scenario } from './scenarios/index.js';
import { sqlIdent, sqlInteger, sqlLiteral } from './sql.js';
import { inputsFingerprint, scopeFingerprint } from './fingerprint.js';
import type { RunbookInputs } from './types.js';
import { expectedColumns, incidentRegistry, keysStatements, workTables, type ExpectedColumn, type WorkTableDef } from './workTables.js';

/** The rendering context shared by every step of one runbook. */
export interface RenderContext {
  d: Dialect;
  /** Qualified working-table names by catalog key, plus `workSchema`. */
  t: Record<string, string>;
  n: { batchSize: string; maxEvents: string; entityCount: number };
  /** Transaction priority of batch steps. */
  priority: 'normal' | 'high';
  sql: { eventFilter: string | null; deleteSelection: string | null };
  /** The single entity of entity-oneshot (through `lit` in templates), else null. */
  entity: string | null;
  entityKey: string;
  entityColumns: readonly EntityColumn[];
  /** The ids in entities.txt: its name, how many, and the sha256 the entities-loaded check recomputes. */
  ids: { file: string; count: number; digest: string };
  workTables: WorkTableDef[];
  /** The incident registry of the work schema, shared by every incident (workTables.ts incidentRegistry). */
  registry: WorkTableDef;
  /** By catalog key, the statements that build the keys of a table created without them (keysAfterLoad). */
  keys: Record<string, string[]>;
  expectedColumns: ExpectedColumn[];
  /**
   * Which runbook version stamps the working tables (see fingerprint.ts), and the other tables it
   * may find rows in. `scope` (scopeFingerprint) is recorded with the stamp; `scopeMustMatch`:
   * --reuse-backups is refused when another version's scope differs (see scopeMustMatch below).
   */
  stamp: { fingerprint: string; scope: string; scopeMustMatch: boolean; incident: string; reuse: boolean; tables: string[] };
}

/** The event filter (--where and the event_time window) as one SQL condition, or null. */
export function eventFilter(inputs: Pick<RunbookInputs, 'where' | 'eventTimeFrom' | 'eventTimeTo'>): string | null {
  const parts: string[] = [];
  if (inputs.where) parts.push(`(${inputs.where})`);
  if (inputs.eventTimeFrom) parts.push(`customer_events.event_time >= CAST(${sqlLiteral(inputs.eventTimeFrom)} AS timestamptz)`);
  if (inputs.eventTimeTo) parts.push(`customer_events.event_time < CAST(${sqlLiteral(inputs.eventTimeTo)} AS timestamptz)`);
  return parts.length > 0 ? parts.join(' AND ') : null;
}

export function buildContext(scenario: Scenario, dialect: Dialect, inputs: RunbookInputs): RenderContext {
  // Every runbook stamps its working tables, in a table of its own.
  const tables = workTables(scenario.schema, inputs.workSchema, inputs.incident, [...scenario.tables(inputs), 'backupMeta'], scenario.entityColumns, {
    ordered: dialect.eventsInStorageOrder,
    keysAfterLoad: scenario.keysAfterLoad?.(dialect) ?? [],
  });
  const registry = incidentRegistry(inputs.workSchema);
  const t: Record<string, string> = { workSchema: sqlIdent(inputs.workSchema), incidents: registry.name };
  for (const table of tables) t[table.key] = table.name;
  const filter = eventFilter(inputs);
  // Step 0 deletes only events of the chosen entities, and only those --delete-where picks.
  const deleteSelection =
    inputs.deleteWhere === null || t.entities === undefined
      ? null
      : `customer_events.customer_entity_id::uuid IN (SELECT e.customer_entity_id FROM ${t.entities} AS e)\n  AND (${inputs.deleteWhere})`;
  return {
    d: dialect,
    t,
    n: { batchSize: sqlInteger(inputs.batchSize), maxEvents: sqlInteger(inputs.maxEvents), entityCount: inputs.entities.count },
    priority: inputs.priority ?? 'normal',
    sql: { eventFilter: filter, deleteSelection },
    entity: scenario.name === 'entity-oneshot' ? inputs.entities.first() : null,
    entityKey: 'customer_entity_id',
    entityColumns: scenario.entityColumns,
    ids: { file: ENTITIES_FILE, count: inputs.entities.count, digest: inputs.entities.digest() },
    workTables: tables,
    registry,
    keys: Object.fromEntries(tables.filter((w) => w.keysAfterLoad).map((w) => [w.key, keysStatements(w)])),
    stamp: {
      fingerprint: inputsFingerprint(inputs),
      scope: scopeFingerprint(inputs),
      // The current schema's batch walks (partials/common/keyset-batch.hbs) resume after the
      // highest key done, so backups of another scope cannot be reused: a key added below that
      // mark would never be reset. The legacy steps take each backup in one statement and their
      // checks compare it with the live choice both ways (events-to-delete-backed-up,
      // matching-backed-up), which stop a narrower or other set before it changes anything.
      scopeMustMatch: scenario.schema === 'current',
      incident: inputs.incident,
      reuse: inputs.reuseBackups,
      tables: tables.filter((w) => w.key !== 'backupMeta').map((w) => w.name),
    },
    expectedColumns: expectedColumns(
      scenario.schema,
      inputs.workSchema,
      [...tables, registry],
      inputs.eventTimeFrom !== null || inputs.eventTimeTo !== null,
    ),
  };
}
