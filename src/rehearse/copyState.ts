/**
 * The state of the copy before and after the rehearsal, and what changed between them: which
 * entity each event belongs to, whether it has an identifier, whether it still waits to be
 * stitched; the entities with their events and identifiers.
 */
import type { IdentifierRule } from '../diagnose/identifierRule.js';
import type { Queryable } from '../sandbox/db.js';
import * as q from './rehearseSql.js';

/** One event of the copy. */
export interface EventState {
  /** The entities it belongs to (current schema: those sharing an identifier; legacy: its matching row). */
  entities: string[];
  /** It has an identifier (current: a non-empty identifiers array; legacy: an identifier under the rule). */
  identified: boolean;
  /** It still waits for the stitcher (current: stitched IS NULL; legacy: queued). */
  pending: boolean;
}

/** The copy at one moment. */
export interface CopyState {
  events: Map<string, EventState>;
  /** Each entity with the number of its identifiers. */
  identifiers: Map<string, number>;
}

/** The figures of one moment, as `--json` prints them. */
export interface Figures {
  entities: number;
  largestEntityEvents: number;
  largestEntityIdentifiers: number;
}

/** Reads the state of the copy; `rule` decides the identifiers of legacy events (`raw`: the value as stored). */
export async function readCopyState(db: Queryable, legacy: boolean, rule: IdentifierRule | 'raw', field: string): Promise<CopyState> {
  const events = new Map<string, EventState>();
  const identifiers = new Map<string, number>();
  if (!legacy) {
    for (const r of (await db.query<{ id: string; pending: boolean; identified: boolean; entities: string[] }>(q.COPY_CURRENT_EVENTS)).rows) {
      events.set(r.id, { entities: r.entities, identified: r.identified, pending: r.pending });
    }
    for (const r of (await db.query<{ entity: string; identifiers: number }>(q.COPY_CURRENT_ENTITIES)).rows) identifiers.set(r.entity, Number(r.identifiers));
    return { events, identifiers };
  }
  const values = new Map<string, Set<string>>();
  for (const r of (await db.query<{ id: string; value: string | null; entity: string | null; pending: boolean }>(q.COPY_LEGACY_EVENTS, [field])).rows) {
    const identifier = rule === 'raw' ? r.value : rule(r.value);
    events.set(r.id.toLowerCase(), { entities: r.entity === null ? [] : [r.entity], identified: identifier !== null, pending: r.pending });
    if (r.entity !== null && identifier !== null) values.set(r.entity, (values.get(r.entity) ?? new Set()).add(identifier));
    if (r.entity !== null && !values.has(r.entity)) values.set(r.entity, new Set());
  }
  for (const [entity, set] of values) identifiers.set(entity, set.size);
  return { events, identifiers };
}

/** Events per entity. */
export function eventsPerEntity(s: CopyState): Map<string, number> {
  const counts = new Map<string, number>([...s.identifiers.keys()].map((e) => [e, 0]));
  for (const e of s.events.values()) for (const entity of e.entities) counts.set(entity, (counts.get(entity) ?? 0) + 1);
  return counts;
}

export function figures(s: CopyState): Figures {
  return {
    entities: s.identifiers.size,
    largestEntityEvents: Math.max(0, ...eventsPerEntity(s).values()),
    largestEntityIdentifiers: Math.max(0, ...s.identifiers.values()),
  };
}

/** What the rehearsal changed. */
export interface Change {
  /** Entities after whose events came from two or more entities before (splits healed). */
  merged: number;
  /** Entities before whose events went to two or more entities after (glue removed). */
  split: number;
  /** Events the rule gives no identifier: stitched to no entity, as intended for junk values. */
  unstitchedEvents: number;
  /** Events lost: gone from the copy, still waiting, or with an identifier but no entity. */
  orphanedEvents: number;
  /** A few orphaned event ids. */
  orphanExamples: string[];
}

function spread(from: CopyState, to: CopyState): number {
  const reached = new Map<string, Set<string>>();
  for (const [id, e] of from.events) {
    for (const entity of e.entities) {
      const set = reached.get(entity) ?? new Set<string>();
      for (const other of to.events.get(id)?.entities ?? []) set.add(other);
      reached.set(entity, set);
    }
  }
  return [...reached.values()].filter((s) => s.size >= 2).length;
}

export function compare(before: CopyState, after: CopyState): Change {
  const orphans: string[] = [];
  let unstitched = 0;
  for (const id of before.events.keys()) {
    const e = after.events.get(id);
    if (e === undefined || e.pending || (e.identified && e.entities.length === 0)) orphans.push(id);
    else if (!e.identified) unstitched++;
  }
  orphans.sort();
  return { merged: spread(after, before), split: spread(before, after), unstitchedEvents: unstitched, orphanedEvents: orphans.length, orphanExamples: orphans.slice(0, 5) };
}
