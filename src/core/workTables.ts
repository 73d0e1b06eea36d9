/**
 * The working tables a runbook creates, and the live columns it relies on, as data.
 * Column types of the platform tables are assumptions, checked by the preflight step
 * against information_schema before anything is written.
 */
import type { EntityColumn } from './scenarios/index.js';
import { sqlIdent, sqlQualified } from './sql.js';
import type { SchemaProfile } from './types.js';

/** A column: name and SQL type, as written in CREATE TABLE. */
export interface ColumnDef {
  name: string;
  type: string;
  /** NOT NULL beyond the primary key (a walk over a column skips its NULLs). */
  notNull?: boolean;
}

/** A working table to create: its qualified name, columns and primary key column. */
export interface WorkTableDef {
  key: string;
  /** Table name without schema, as information_schema spells it. */
  table: string;
  name: string;
  columns: ColumnDef[];
  /** The primary key's columns, comma-separated. */
  primaryKey: string;
  /** Set for whole-row backups: created as `AS SELECT * FROM copyOf WITH NO DATA`. */
  copyOf: string | null;
  /** Secondary indexes: name (unqualified; it lives in the table's schema) and columns. */
  indexes: { name: string; columns: string }[];
  /**
   * Created without its keys, which the one statement that loads the whole table builds after
   * loading it (`keysStatements`): one sort per key instead of an index insert per row.
   */
  keysAfterLoad: boolean;
}

/** How the working tables of one runbook are laid out. */
export interface WorkTableLayout {
  /** See `catalog`: the events backup keeps each event's position. */
  ordered: boolean;
  /** Catalog keys of the tables whose keys are built after they are loaded (WorkTableDef.keysAfterLoad). */
  keysAfterLoad: readonly string[];
}

/** A column the preflight expects: '' schema matches any schema, '' type matches any type. */
export interface ExpectedColumn {
  schema: string;
  table: string;
  column: string;
  type: string;
}

/** Assumed types of customer_attributes / customer_events in the current schema. */
const CURRENT_TYPES: Record<string, string> = {
  customer_entity_id: 'text',
  modified: 'timestamptz',
  calculated: 'timestamptz',
  identifiers: 'text[]',
};

const ENTITY_ID_TYPE: Record<SchemaProfile, string> = { current: 'text', legacy: 'uuid' };

type Shape =
  | { suffix: string; columns: [string, string][]; primaryKey?: string; index?: string }
  | { suffix: string; copyOf: string; primaryKey: string };

/**
 * `ordered`: the events backup keeps each event's position in customer_events (`ord`, see
 * Dialect.eventsInStorageOrder) with an index on (ord, id) to walk it, and the tables that record
 * the keys done over that walk are keyed (ord, id), so they grow at their end.
 */
function catalog(schema: SchemaProfile, entityColumns: readonly EntityColumn[], ordered: boolean): Record<string, Shape> {
  const entityId = ENTITY_ID_TYPE[schema];
  const ids = (suffix: string, type: string): Shape => ({ suffix, columns: [['id', type]] });
  const queuedRows = (suffix: string): Shape => ({ suffix, columns: [['id', 'uuid'], ['queued_at', 'timestamptz']], primaryKey: 'id' });
  const walked = (suffix: string): Shape => (ordered ? { suffix, columns: [['ord', 'tid'], ['id', 'uuid']], primaryKey: 'ord, id' } : ids(suffix, 'uuid'));
  return {
    entities: {
      suffix: schema === 'legacy' ? 'entities_to_clean' : 'entities',
      columns: [['customer_entity_id', entityId]],
    },
    events: ids('events_to_clean', 'uuid'),
    entitiesBackup: {
      suffix: 'entities_backup',
      columns: [['customer_entity_id', entityId], ...entityColumns.map((c): [string, string] => [c, CURRENT_TYPES[c] ?? 'text'])],
    },
    eventsBackup: {
      suffix: 'events_backup',
      columns: [['id', 'uuid'], ['stitched', 'timestamptz'], ['identifiers', 'text[]'], ...(ordered ? [['ord', 'tid'] as [string, string]] : [])],
      ...(ordered ? { index: 'ord, id' } : {}),
    },
    entitiesBackupDone: ids('entities_backup_done', entityId),
    eventsBackupDone: ids('events_backup_done', 'uuid'),
    entitiesResetDone: ids('entities_reset_done', entityId),
    eventsResetDone: walked('events_reset_done'),
    // One row per export batch: the highest customer_events key it read (not every key read).
    // One row per batch of the identifier walk (identifierWalk.ts): the identifier and the highest id done within it.
    eventsExportDone: { suffix: 'events_export_done', columns: [['identifier', 'text'], ['id', 'uuid']], primaryKey: 'identifier, id' },
    entitiesUndoDone: ids('entities_undo_done', entityId),
    eventsUndoDone: walked('events_undo_done'),
    auditQueued: { suffix: 'audit_queued', columns: [['customer_entity_id', 'uuid']] },
    // The queue rows a runbook added are (id, the `created` it wrote): another runbook may queue the
    // same event, and undo must take back only its own row.
    eventsQueued: queuedRows('events_queued'),
    orphansQueued: queuedRows('orphans_queued'),
    matchingBackup: { suffix: 'matching_backup', copyOf: 'cdp_ps.matching', primaryKey: 'customer_event_id' },
    deletedEventsBackup: { suffix: 'deleted_events_backup', copyOf: 'cdp_ce.customer_events', primaryKey: 'id' },
    // One row per version that used the working tables: its fingerprint, and its scope (which rows
    // it backs up and changes: fingerprint.ts scopeFingerprint), which --reuse-backups must match.
    backupMeta: { suffix: 'backup_meta', columns: [['fingerprint', 'text'], ['incident', 'text'], ['taken_at', 'timestamptz'], ['scope', 'text']] },
  };
}

/** Prefix of every working table of an incident: `rs_` and the slug with '-' as '_'. */
export function tablePrefix(incident: string): string {
  return `rs_${incident.replace(/-/g, '_')}`;
}

/** The working tables for `keys`, qualified in `workSchema`, laid out as `layout` says. */
export function workTables(
  schema: SchemaProfile,
  workSchema: string,
  incident: string,
  keys: readonly string[],
  entityColumns: readonly EntityColumn[],
  layout: WorkTableLayout = { ordered: false, keysAfterLoad: [] },
): WorkTableDef[] {
  const shapes = catalog(schema, entityColumns, layout.ordered);
  return keys.map((key) => {
    const shape = shapes[key];
    if (!shape) throw new Error(`no working table '${key}' in the catalog`);
    const table = `${tablePrefix(incident)}_${shape.suffix}`;
    const name = sqlQualified(workSchema, table);
    if ('copyOf' in shape) return { key, table, name, columns: [], primaryKey: shape.primaryKey, copyOf: shape.copyOf, indexes: [], keysAfterLoad: false };
    const columns = shape.columns.map(([n, type]) => ({ name: sqlIdent(n), type, ...(n === 'ord' ? { notNull: true } : {}) }));
    const indexes = shape.index ? [{ name: sqlIdent(`${table}_ord`), columns: shape.index }] : [];
    const keysAfterLoad = layout.keysAfterLoad.includes(key);
    return { key, table, name, columns, primaryKey: shape.primaryKey ?? columns[0]?.name ?? 'id', copyOf: null, indexes, keysAfterLoad };
  });
}

/**
 * The statements that build the keys of a table created without them (keysAfterLoad): its
 * primary key's columns as a unique index (what ON CONFLICT and the joins on it need) and its
 * secondary indexes, each IF NOT EXISTS, so the loading step can run again.
 */
export function keysStatements(t: WorkTableDef): string[] {
  return [
    `CREATE UNIQUE INDEX IF NOT EXISTS ${sqlIdent(`${t.table}_key`)} ON ${t.name} (${t.primaryKey})`,
    ...t.indexes.map((i) => `CREATE INDEX IF NOT EXISTS ${i.name} ON ${t.name} (${i.columns})`),
  ];
}

/** information_schema spells some types differently from DDL. */
function infoSchemaType(type: string): string {
  if (type.endsWith('[]')) return 'ARRAY';
  if (type === 'timestamptz') return 'timestamp with time zone';
  return type;
}

const LEGACY_COLUMNS: ExpectedColumn[] = [
  { schema: 'cdp_ce', table: 'customer_events', column: 'id', type: '' },
  { schema: 'public', table: 'customer_events', column: 'id', type: '' },
  { schema: 'public', table: 'customer_events', column: 'customer_entity_id', type: '' },
  { schema: 'cdp_ps', table: 'matching', column: 'customer_event_id', type: 'uuid' },
  { schema: 'cdp_ps', table: 'matching', column: 'customer_entity_id', type: 'uuid' },
  { schema: 'cdp_attr', table: 'customer_entities_audit', column: 'customer_entity_id', type: 'uuid' },
  { schema: 'cdp_attr', table: 'customer_entities_audit', column: 'created', type: '' },
  { schema: 'cdp_attr', table: 'customer_entities_audit', column: 'action', type: '' },
  { schema: 'cdp_ps', table: 'customer_events_to_process', column: 'customer_event_id', type: 'uuid' },
  { schema: 'cdp_ps', table: 'customer_events_to_process', column: 'created', type: '' },
];

/** Every live and working column the preflight verifies. */
export function expectedColumns(
  schema: SchemaProfile,
  workSchema: string,
  tables: readonly WorkTableDef[],
  usesEventTime: boolean,
): ExpectedColumn[] {
  const live: ExpectedColumn[] =
    schema === 'legacy'
      ? [...LEGACY_COLUMNS]
      : [
          ...Object.entries(CURRENT_TYPES).map(([column, type]) => ({ schema: '', table: 'customer_attributes', column, type: infoSchemaType(type) })),
          { schema: '', table: 'customer_events', column: 'id', type: 'uuid' },
          { schema: '', table: 'customer_events', column: 'stitched', type: 'timestamp with time zone' },
          { schema: '', table: 'customer_events', column: 'identifiers', type: 'ARRAY' },
        ];
  if (usesEventTime) live.push({ schema: schema === 'legacy' ? 'public' : '', table: 'customer_events', column: 'event_time', type: '' });
  const work = tables.flatMap((t) => {
    if (t.copyOf) return [{ schema: workSchema, table: t.table, column: t.primaryKey, type: '' }];
    return t.columns.map((c) => ({ schema: workSchema, table: t.table, column: c.name, type: infoSchemaType(c.type) }));
  });
  return [...live, ...work];
}

/** The platform tables a runbook of this schema reads and changes ('' schema: any schema). */
export function platformTables(schema: SchemaProfile): { schema: string; table: string }[] {
  const seen = new Map<string, { schema: string; table: string }>();
  for (const c of expectedColumns(schema, '', [], false)) seen.set(`${c.schema}.${c.table}`, { schema: c.schema, table: c.table });
  return [...seen.values()];
}

/** The incident registry's table name, one per work schema, shared by every incident. */
export const INCIDENTS_TABLE = 'restitch_incidents';

/**
 * The incident registry: one row per incident that has begun changing a database through this
 * work schema (its forward run's create-working-tables step), open until its forward run is
 * complete, its undo is complete, or it is released (`restitch release-incident`). A second
 * incident's preflight and the runner refuse while another is open, and an undo refuses once
 * another incident began after its own: two stitching changes on one database cannot undo each
 * other's work. Not a table of one incident: no stamp, no prefix.
 */
export function incidentRegistry(workSchema: string): WorkTableDef {
  const columns: ColumnDef[] = [
    { name: 'incident', type: 'text' },
    { name: 'fingerprint', type: 'text', notNull: true },
    { name: 'began_at', type: 'timestamptz', notNull: true },
    { name: 'closed_at', type: 'timestamptz' },
    { name: 'closed_how', type: 'text' },
  ];
  return { key: 'incidents', table: INCIDENTS_TABLE, name: sqlQualified(workSchema, INCIDENTS_TABLE), columns, primaryKey: 'incident', copyOf: null, indexes: [], keysAfterLoad: false };
}
