/**
 * The read-only copy of the chosen entities and their events from the source: the statements of
 * rehearseSql.ts inside diagnose's read-only session (PostgreSQL: a READ ONLY transaction with a
 * statement timeout; CockroachDB: a follower-read historical transaction), rolled back at the end.
 * The events are counted first; beyond `maxEvents` nothing more is read.
 */
import { checkError } from '../core/errors.js';
import type { DialectName } from '../core/types.js';
import { SESSIONS } from '../diagnose/diagnoseSql.js';
import { num, type Db } from '../diagnose/stageKit.js';
import * as q from './rehearseSql.js';

/** Which schema the copy is of. */
export type CopySchema = 'current' | 'legacy';

/** The rows copied, as the source returned them (the sandbox schema's columns only). */
export interface SourceCopy {
  schema: CopySchema;
  /** Current schema: the customer_attributes rows of the chosen entities. */
  entities: Record<string, unknown>[];
  /** customer_events (current) or cdp_ce.customer_events joined with its matching row (legacy). */
  events: Record<string, unknown>[];
  /** Chosen entities the source does not hold (no attributes row, or no matched event). */
  missing: string[];
  /** The source's row estimate of its event table; null where the dialect has none. */
  sourceEventRows: number | null;
}

/** What to copy and how far. */
export interface CopyOptions {
  dialect: DialectName;
  schema: CopySchema;
  entities: readonly string[];
  maxEvents: number;
  timeoutMs: number;
  /** Told what will be read, before it is read. */
  onCost: (line: string) => void;
}

async function eventRowsEstimate(db: Db, o: CopyOptions): Promise<number | null> {
  // pg_class.reltuples (PostgreSQL only; -1 before the first ANALYZE). CockroachDB: none verified, as in diagnose.
  if (o.dialect !== 'postgres') return null;
  const table = o.schema === 'legacy' ? 'cdp_ce.customer_events' : 'customer_events';
  const n = (await db.query<{ rows: unknown }>(q.EVENT_ROWS_ESTIMATE, [table])).rows[0]?.rows;
  return n === undefined || n === null || num(n) < 0 ? null : num(n);
}

function refuseAbove(count: number, o: CopyOptions): void {
  if (count > o.maxEvents) {
    throw checkError(`the ${o.entities.length} chosen entities have more than ${o.maxEvents.toLocaleString('en-US')} events (--max-events); choose fewer entities or raise --max-events (nothing was copied)`);
  }
}

async function copyCurrent(db: Db, o: CopyOptions): Promise<Omit<SourceCopy, 'sourceEventRows'>> {
  const entities = (await db.query<Record<string, unknown>>(q.SOURCE_ENTITIES, [o.entities])).rows;
  const identifiers = [...new Set(entities.flatMap((e) => (e.identifiers as string[] | null) ?? []))];
  const count = identifiers.length === 0 ? 0 : num((await db.query<{ n: unknown }>(q.SOURCE_EVENT_COUNT, [identifiers, o.maxEvents + 1])).rows[0]?.n);
  refuseAbove(count, o);
  o.onCost(`reading: ${entities.length} customer_attributes rows and ${count.toLocaleString('en-US')} customer_events rows (those sharing one of their ${identifiers.length} identifiers, through the identifiers index; --max-events ${o.maxEvents.toLocaleString('en-US')})`);
  const events = count === 0 ? [] : (await db.query<Record<string, unknown>>(q.SOURCE_EVENTS, [identifiers, o.maxEvents])).rows;
  const found = new Set(entities.map((e) => String(e.customer_entity_id)));
  return { schema: 'current', entities, events, missing: o.entities.filter((id) => !found.has(id)) };
}

async function copyLegacy(db: Db, o: CopyOptions): Promise<Omit<SourceCopy, 'sourceEventRows'>> {
  const count = num((await db.query<{ n: unknown }>(q.LEGACY_SOURCE_EVENT_COUNT, [o.entities, o.maxEvents + 1])).rows[0]?.n);
  refuseAbove(count, o);
  o.onCost(`reading: ${count.toLocaleString('en-US')} cdp_ps.matching rows of the ${o.entities.length} chosen entities (matching_entity index) and their cdp_ce.customer_events rows (primary key; --max-events ${o.maxEvents.toLocaleString('en-US')})`);
  const events = count === 0 ? [] : (await db.query<Record<string, unknown>>(q.LEGACY_SOURCE_EVENTS, [o.entities, o.maxEvents])).rows;
  if (events.length < count) o.onCost(`note: ${count - events.length} matched events have no cdp_ce.customer_events row under their UUID's canonical text; they are not in the copy`);
  const found = new Set(events.map((e) => String(e.entity)));
  return { schema: 'legacy', entities: [], events, missing: o.entities.filter((id) => !found.has(id.toLowerCase())) };
}

/** Copies the chosen entities and their events; never writes, refuses beyond `maxEvents`. */
export async function copySource(db: Db, o: CopyOptions): Promise<SourceCopy> {
  for (const statement of SESSIONS[o.dialect].begin(o.timeoutMs)) await db.query(statement);
  try {
    const sourceEventRows = await eventRowsEstimate(db, o);
    const copy = o.schema === 'legacy' ? await copyLegacy(db, o) : await copyCurrent(db, o);
    return { ...copy, sourceEventRows };
  } finally {
    await db.query('ROLLBACK');
  }
}
