/**
 * The diagnosis of the current schema (customer_attributes / customer_events): customer_events
 * is reached through its GIN index on identifiers and, for the event sample, its primary key.
 */
import * as q from './diagnoseSql.js';
import type { Finding } from './finding.js';
import { isJunk, junkKeys } from './junkValues.js';
import { normaliseIdentifier, splitGroups } from './normaliseIdentifier.js';
import { COUNT_CAP, EXAMPLES, num, quote, readSample, ROW_LIMIT, SLICES, splitFinding, type Db, type DiagnoseOptions, type Stage } from './stageKit.js';

type Holder = { entity: string; value: string };

async function countEvents(db: Db, sql: string, values: string[]): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql, [values, COUNT_CAP]);
  return num(rows[0]?.n);
}

/** One finding per value, with the entities holding it and the events carrying it (GIN). */
async function valueFindings(db: Db, holders: Holder[], make: (value: string, entities: string[]) => Pick<Finding, 'kind' | 'title'>, limited: boolean): Promise<Finding[]> {
  const byValue = new Map<string, Set<string>>();
  for (const r of holders) byValue.set(r.value, (byValue.get(r.value) ?? new Set()).add(r.entity));
  const findings: Finding[] = [];
  for (const [value, set] of byValue) {
    const entities = [...set].sort();
    const events = await countEvents(db, q.EVENTS_WITH_VALUE, [value]);
    findings.push({
      ...make(value, entities),
      severity: 'high',
      entities,
      evidence: { events, entities: entities.length },
      examples: entities.slice(0, EXAMPLES),
      capped: events >= COUNT_CAP || limited,
    });
  }
  return findings;
}

async function junkFindings(db: Db, keys: string[]): Promise<Finding[]> {
  const { rows } = await db.query<Holder>(q.JUNK_HOLDERS, [keys, ROW_LIMIT]);
  return valueFindings(db, rows, (value) => ({ kind: 'junk-value', title: `junk identifier value ${quote(value)}` }), rows.length >= ROW_LIMIT);
}

async function sharedFindings(db: Db, keys: string[], o: DiagnoseOptions): Promise<Finding[]> {
  const values = (await db.query<{ value: string }>(q.SHARED_VALUES, [o.maxEntitiesPerValue, o.sample])).rows.map((r) => r.value).filter((v) => !isJunk(v, keys));
  if (values.length === 0) return [];
  const { rows } = await db.query<Holder>(q.VALUE_HOLDERS, [values, ROW_LIMIT]);
  return valueFindings(db, rows, (value, entities) => ({ kind: 'shared-value', title: `identifier value ${quote(value)} held by ${entities.length} entities` }), rows.length >= ROW_LIMIT);
}

async function splitFindings(db: Db, keys: string[], o: DiagnoseOptions): Promise<Finding[]> {
  const unnormal = (await db.query<Holder>(q.UNNORMAL_VALUES, [ROW_LIMIT])).rows.filter((r) => !isJunk(r.value, keys));
  if (unnormal.length === 0) return [];
  const normals = [...new Set(unnormal.map((r) => normaliseIdentifier(r.value, o.normalisations)))];
  const normalHolders = (await db.query<Holder>(q.VALUE_HOLDERS, [normals, ROW_LIMIT])).rows;
  return splitGroups([...unnormal, ...normalHolders], o.normalisations).map((g) => ({ ...splitFinding(g), capped: unnormal.length >= ROW_LIMIT }));
}

/**
 * The `sample` entities the most events of the key-order sample belong to: an entity with many
 * events is among them whatever the number of its identifiers (customer_events has no entity
 * column, so an event belongs to every entity holding one of its identifiers).
 */
async function sampledBusiest(db: Db, o: DiagnoseOptions): Promise<string[]> {
  const { rows } = await readSample<{ id: string; identifiers: string[] | null }>(db, q.SAMPLE_EVENTS, o.sampleEvents);
  const values = [...new Set(rows.flatMap((r) => r.identifiers ?? []))];
  if (values.length === 0) return [];
  const holders = (await db.query<Holder>(q.VALUE_HOLDERS, [values, values.length + ROW_LIMIT])).rows;
  const entitiesOf = new Map<string, string[]>();
  for (const h of holders) entitiesOf.set(h.value, [...(entitiesOf.get(h.value) ?? []), h.entity]);
  const hits = new Map<string, number>();
  for (const r of rows) {
    for (const entity of new Set((r.identifiers ?? []).flatMap((v) => entitiesOf.get(v) ?? []))) hits.set(entity, (hits.get(entity) ?? 0) + 1);
  }
  return [...hits].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, o.sample).map(([entity]) => entity);
}

async function giantFindings(db: Db, o: DiagnoseOptions, alsoCount: string[]): Promise<Finding[]> {
  const top = (await db.query<{ entity: string; identifiers: string[] }>(q.MOST_IDENTIFIERS, [o.sample])).rows;
  const busiest = await sampledBusiest(db, o);
  const extra = [...new Set([...alsoCount, ...busiest])].filter((id) => !top.some((t) => t.entity === id));
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

/** The stages on the current schema; `found` holds the findings of the stages run so far. */
export function currentStages(db: Db, o: DiagnoseOptions, found: readonly Finding[]): Stage[] {
  const keys = junkKeys(o.junk);
  const valueHolders = () => [...new Set(found.filter((f) => f.kind === 'junk-value' || f.kind === 'shared-value').flatMap((f) => f.entities))];
  return [
    ['junk values', () => junkFindings(db, keys)],
    ['values held by many entities', () => sharedFindings(db, keys, o)],
    ['split customers', () => splitFindings(db, keys, o)],
    ['giant entities', () => giantFindings(db, o, valueHolders())],
    ['pitfalls', () => pitfallFindings(db)],
  ];
}

/**
 * What the reads will cost, from the catalog's row estimates: customer_attributes is scanned,
 * customer_events is reached only through index look-ups and the key-order sample.
 */
export function currentCostLine(estimates: readonly { name: string; rows: number }[], o: Pick<DiagnoseOptions, 'sample' | 'sampleEvents'>): string {
  const rows = (name: string) => {
    const n = estimates.find((e) => e.name === name)?.rows;
    return n === undefined || n < 0 ? 'rows not estimated yet' : `about ${Math.round(n).toLocaleString('en-US')} rows`;
  };
  const source = estimates.length === 0 ? ' (no catalog estimates on this dialect)' : ' (catalog estimates)';
  return `reading: customer_attributes scanned at most 7 times (${rows('customer_attributes')}); customer_events by its indexes only (${rows('customer_events')}): a sample of at most ${o.sampleEvents.toLocaleString('en-US')} events in ${SLICES} primary-key ranges, and identifiers-index look-ups, one per junk or shared value, per counted entity (at most ${o.sample} with the most identifiers + ${o.sample} with the most sampled events + the value holders) and per entity for the no-events check${source}`;
}
