/**
 * Runs the diagnosis over a small database interface: one read-only session, the statements of
 * diagnoseSql.ts, findings out. Takes any `Db` (pg.Client satisfies it); opens nothing itself.
 */
import type { DialectName } from '../core/types.js';
import * as q from './diagnoseSql.js';
import { sortFindings, type Finding } from './finding.js';
import { isJunk, junkKeys } from './junkValues.js';
import { normaliseIdentifier, splitGroups } from './normaliseIdentifier.js';

/** The part of a database client diagnose uses. */
export interface Db {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** What to look for and how far. */
export interface DiagnoseOptions {
  dialect: DialectName;
  /** Extra junk values (`--junk`). */
  junk: string[];
  /** An entity with at least this many events is giant (default 10,000). */
  minEvents: number;
  /** An entity with more identifiers than this is giant. */
  maxIdentifiers: number;
  /** How many entities (those with the most identifiers) get their events counted. */
  sample: number;
  /** Statement timeout in ms. */
  timeoutMs: number;
}

export const DEFAULT_DIAGNOSE_OPTIONS: Omit<DiagnoseOptions, 'dialect'> = {
  junk: [],
  minEvents: 10_000,
  maxIdentifiers: 1_000,
  sample: 100,
  timeoutMs: 60_000,
};

/** Rows any one listing returns at most; event counts stop at COUNT_CAP (then they are lower bounds). */
const ROW_LIMIT = 10_000;
const COUNT_CAP = 1_000_000;
const EXAMPLES = 5;

const num = (v: unknown) => Number(v ?? 0);
const quote = (v: string) => `'${v}'`;

async function countEvents(db: Db, sql: string, values: string[]): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql, [values, COUNT_CAP]);
  return num(rows[0]?.n);
}

async function junkFindings(db: Db, keys: string[]): Promise<Finding[]> {
  const { rows } = await db.query<{ entity: string; value: string }>(q.JUNK_HOLDERS, [keys, ROW_LIMIT]);
  const byValue = new Map<string, string[]>();
  for (const r of rows) byValue.set(r.value, [...(byValue.get(r.value) ?? []), r.entity]);
  const findings: Finding[] = [];
  for (const [value, entities] of byValue) {
    const events = await countEvents(db, q.EVENTS_WITH_VALUE, [value]);
    findings.push({
      kind: 'junk-value',
      severity: 'high',
      title: `junk identifier value ${quote(value)}`,
      entities: [...new Set(entities)].sort(),
      evidence: { events, entities: new Set(entities).size },
      examples: [...new Set(entities)].sort().slice(0, EXAMPLES),
      capped: events >= COUNT_CAP || rows.length >= ROW_LIMIT,
    });
  }
  return findings;
}

async function splitFindings(db: Db, keys: string[]): Promise<Finding[]> {
  const unnormal = (await db.query<{ entity: string; value: string }>(q.UNNORMAL_VALUES, [ROW_LIMIT])).rows.filter((r) => !isJunk(r.value, keys));
  if (unnormal.length === 0) return [];
  const normals = [...new Set(unnormal.map((r) => normaliseIdentifier(r.value)))];
  const normalHolders = (await db.query<{ entity: string; value: string }>(q.VALUE_HOLDERS, [normals, ROW_LIMIT])).rows;
  return splitGroups([...unnormal, ...normalHolders]).map((g) => ({
    kind: 'split-customer',
    severity: 'medium',
    title: `split customer: ${g.holders.map((h) => quote(h.value)).join(', ')} held by ${g.entities.length} entities`,
    entities: g.entities,
    evidence: { entities: g.entities.length, values: g.holders.length },
    examples: g.holders.map((h) => `${quote(h.value)}: ${h.entities.slice(0, EXAMPLES).join(' ')}`),
    capped: unnormal.length >= ROW_LIMIT,
  }));
}

async function giantFindings(db: Db, o: DiagnoseOptions, alsoCount: string[]): Promise<Finding[]> {
  const top = (await db.query<{ entity: string; identifiers: string[] }>(q.MOST_IDENTIFIERS, [o.sample])).rows;
  const extra = alsoCount.filter((id) => !top.some((t) => t.entity === id));
  const more = extra.length === 0 ? [] : (await db.query<{ entity: string; identifiers: string[] }>(q.ENTITY_IDENTIFIERS, [extra])).rows;
  const findings: Finding[] = [];
  for (const { entity, identifiers } of [...top, ...more]) {
    const many = identifiers.length > o.maxIdentifiers;
    if (!many && identifiers.length === 0) continue;
    const events = await countEvents(db, q.EVENTS_OF_ENTITY, identifiers);
    if (!many && events < o.minEvents) continue;
    findings.push({
      kind: 'giant-entity',
      severity: 'high',
      title: `giant entity ${entity}`,
      entities: [entity],
      evidence: { events, identifiers: identifiers.length },
      examples: identifiers.slice(0, EXAMPLES),
      capped: events >= COUNT_CAP,
    });
  }
  return findings;
}

async function pitfallFindings(db: Db): Promise<Finding[]> {
  const findings: Finding[] = [];
  const empty = (await db.query<{ n: unknown; example: string | null }>(q.EMPTY_IDENTIFIER_EVENTS, [COUNT_CAP])).rows[0];
  if (num(empty?.n) > 0) {
    findings.push({
      kind: 'empty-identifiers',
      severity: 'info',
      title: 'events with an empty identifier array',
      entities: [],
      evidence: { events: num(empty?.n) },
      examples: empty?.example ? [empty.example] : [],
      capped: num(empty?.n) >= COUNT_CAP,
    });
  }
  const lonely = (await db.query<{ entity: string }>(q.ENTITIES_WITHOUT_EVENTS, [ROW_LIMIT])).rows.map((r) => r.entity);
  if (lonely.length > 0) {
    findings.push({
      kind: 'entity-without-events',
      severity: 'info',
      title: 'entities no event shares an identifier with',
      entities: [],
      evidence: { entities: lonely.length },
      examples: lonely.slice(0, EXAMPLES),
      capped: lonely.length >= ROW_LIMIT,
    });
  }
  return findings;
}

/**
 * Every finding on the current schema, worst first. The caller owns the connection; this runs
 * in one read-only transaction and rolls it back.
 */
export async function diagnose(db: Db, o: DiagnoseOptions): Promise<Finding[]> {
  for (const statement of q.SESSIONS[o.dialect].begin(o.timeoutMs)) await db.query(statement);
  try {
    const keys = junkKeys(o.junk);
    const junk = await junkFindings(db, keys);
    const split = await splitFindings(db, keys);
    const giant = await giantFindings(db, o, [...new Set(junk.flatMap((f) => f.entities))]);
    const pitfalls = await pitfallFindings(db);
    return sortFindings([...junk, ...giant, ...split, ...pitfalls]);
  } finally {
    await db.query('ROLLBACK');
  }
}
