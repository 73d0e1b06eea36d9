/**
 * The diagnosis of the legacy schema (cdp_ce / cdp_ps / cdp_attr, PostgreSQL). An entity is
 * the customer_entity_id of its cdp_ps.matching rows; an event's identifier is the payload
 * field the PS rule reads. Values and orphans come from the key-order sample of
 * cdp_ce.customer_events (exact when the sample is the whole table, else labelled estimates);
 * event counts of entities are exact, from the matching_entity btree.
 */
import type { Finding } from './finding.js';
import { isJunk, junkKeys } from './junkValues.js';
import { sampleBasis, scaled, type Coverage } from './keySample.js';
import * as q from './legacySql.js';
import { splitGroups } from './normaliseIdentifier.js';
import { COUNT_CAP, EXAMPLES, num, quote, readSample, ROW_LIMIT, SLICES, splitFinding, type Db, type DiagnoseOptions, type EventSample, type Stage } from './stageKit.js';

export { LEGACY_ESTIMATES } from './legacySql.js';

/** A sampled event: its id, its identifier value (NULL: none), its entity (NULL: no matching row). */
type Sampled = { id: string; value: string | null; has_field: boolean; entity: string | null };

/**
 * A --payload-field no sampled event has (a typo, or a rule that reads another field) finds
 * nothing at all: said as a warning instead of a clean bill.
 */
export function payloadFieldWarning(s: EventSample<Sampled>, field: string): string | null {
  if (s.rows.length === 0 || s.rows.some((r) => r.has_field)) return null;
  return `--payload-field ${quote(field)}: none of the ${s.rows.length} sampled events has this payload field, so no identifier was read; check the field the PS rule reads`;
}

/** The evidence label of a figure from the sample: none when the sample is the whole table. */
const label = (c: Coverage): Pick<Finding, 'estimate'> => (c.complete ? {} : { estimate: sampleBasis(c, 'events') });

function valueFindings(s: EventSample<Sampled>, keys: string[], o: DiagnoseOptions): Finding[] {
  const byValue = new Map<string, { entities: Set<string>; events: number }>();
  for (const r of s.rows) {
    if (r.entity === null || r.value === null) continue;
    const v = byValue.get(r.value) ?? { entities: new Set<string>(), events: 0 };
    v.entities.add(r.entity);
    v.events += 1;
    byValue.set(r.value, v);
  }
  const findings: Finding[] = [];
  for (const [value, { entities: set, events }] of byValue) {
    const junk = isJunk(value, keys);
    if (!junk && set.size < o.maxEntitiesPerValue) continue;
    const entities = [...set].sort();
    findings.push({
      kind: junk ? 'junk-value' : 'shared-value',
      severity: 'high',
      title: junk ? `junk identifier value ${quote(value)}` : `identifier value ${quote(value)} held by ${entities.length} entities`,
      entities,
      evidence: { events: scaled(events, s.coverage), entities: entities.length },
      examples: entities.slice(0, EXAMPLES),
      ...label(s.coverage),
    });
  }
  return findings;
}

function splitFindings(s: EventSample<Sampled>, keys: string[], o: DiagnoseOptions): Finding[] {
  const pairs = s.rows.flatMap((r) => (r.entity === null || r.value === null || isJunk(r.value, keys) ? [] : [{ entity: r.entity, value: r.value }]));
  return splitGroups(pairs, o.normalisations).map((g) => ({ ...splitFinding(g), ...label(s.coverage) }));
}

/** Entities of many matched events: the busiest of the sample and the value holders, counted exactly. */
async function giantFindings(db: Db, s: EventSample<Sampled>, o: DiagnoseOptions, alsoCount: string[]): Promise<Finding[]> {
  const hits = new Map<string, number>();
  for (const r of s.rows) if (r.entity !== null) hits.set(r.entity, (hits.get(r.entity) ?? 0) + 1);
  const busiest = [...hits].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, o.sample).map(([e]) => e);
  const findings: Finding[] = [];
  for (const entity of [...new Set([...busiest, ...alsoCount])]) {
    const events = num((await db.query<{ n: unknown }>(q.LEGACY_EVENTS_OF_ENTITY, [entity, COUNT_CAP])).rows[0]?.n);
    if (events < o.minEvents) continue;
    findings.push({
      kind: 'giant-entity', severity: 'high', title: `giant entity ${entity}`, entities: [entity],
      evidence: { events }, examples: [], capped: events >= COUNT_CAP,
    });
  }
  return findings;
}

/** Events with no matching row: not queued (lost to stitching), without an identifier, and the queue backlog. */
async function orphanFindings(db: Db, s: EventSample<Sampled>, keys: string[]): Promise<Finding[]> {
  const unmatched = s.rows.filter((r) => r.entity === null);
  const unidentified = unmatched.filter((r) => r.value === null || isJunk(r.value, keys));
  const identified = unmatched.filter((r) => !unidentified.includes(r));
  const queued = identified.length === 0 ? new Set<string>() : new Set((await db.query<{ id: string }>(q.LEGACY_QUEUED, [identified.map((r) => r.id)])).rows.map((r) => r.id));
  const lost = identified.filter((r) => !queued.has(r.id.toLowerCase())).map((r) => r.id).sort();
  const findings: Finding[] = [];
  if (lost.length > 0) {
    findings.push({
      kind: 'orphaned-events', severity: 'medium', title: 'events with an identifier but no cdp_ps.matching row, not queued (orphan-recovery)',
      entities: [], evidence: { events: scaled(lost.length, s.coverage) }, examples: lost.slice(0, EXAMPLES), ...label(s.coverage),
    });
  }
  if (unidentified.length > 0) {
    findings.push({
      kind: 'unidentified-events', severity: 'info', title: 'events without a matching row whose identifier is empty or junk',
      entities: [], evidence: { events: scaled(unidentified.length, s.coverage) }, examples: unidentified.map((r) => r.id).sort().slice(0, EXAMPLES), ...label(s.coverage),
    });
  }
  const backlog = num((await db.query<{ n: unknown }>(q.LEGACY_BACKLOG, [COUNT_CAP])).rows[0]?.n);
  if (backlog > 0) {
    findings.push({
      kind: 'queue-backlog', severity: 'info', title: 'events waiting in cdp_ps.customer_events_to_process',
      entities: [], evidence: { events: backlog }, examples: [], capped: backlog >= COUNT_CAP,
    });
  }
  return findings;
}

/** The stages on the legacy schema; `found` holds the findings of the stages run so far, `warnings` gets what makes them no clean bill. */
export function legacyStages(db: Db, o: DiagnoseOptions, found: readonly Finding[], warnings: string[] = []): Stage[] {
  const keys = junkKeys(o.junk);
  let sample: Promise<EventSample<Sampled>> | null = null;
  const read = async () => {
    const s = await readSample<Sampled>(db, q.LEGACY_SAMPLE, o.sampleEvents, [o.payloadField]);
    const warning = payloadFieldWarning(s, o.payloadField);
    if (warning) warnings.push(warning);
    return s;
  };
  const sampled = () => (sample ??= read());
  const holders = () => [...new Set(found.filter((f) => f.kind === 'junk-value' || f.kind === 'shared-value').flatMap((f) => f.entities))].slice(0, ROW_LIMIT);
  return [
    ['junk values and values held by many entities', async () => valueFindings(await sampled(), keys, o)],
    ['split customers', async () => splitFindings(await sampled(), keys, o)],
    ['giant entities', async () => giantFindings(db, await sampled(), o, holders())],
    ['orphans and the queue backlog', async () => orphanFindings(db, await sampled(), keys)],
  ];
}

/** What the reads on the legacy schema will cost. */
export function legacyCostLine(estimates: readonly { name: string; rows: number }[], o: Pick<DiagnoseOptions, 'sample' | 'sampleEvents'>): string {
  const rows = (name: string) => {
    const n = estimates.find((e) => e.name === name)?.rows;
    return n === undefined || n < 0 ? 'rows not estimated yet' : `about ${Math.round(n).toLocaleString('en-US')} rows`;
  };
  return `reading: cdp_ce.customer_events by its primary key only (${rows('cdp_ce.customer_events')}): a sample of at most ${o.sampleEvents.toLocaleString('en-US')} events in ${SLICES} key ranges, each with its cdp_ps.matching row; cdp_ps.matching (${rows('cdp_ps.matching')}) by its keys, one count per entity (at most ${o.sample} with the most sampled events + the value holders); cdp_ps.customer_events_to_process (${rows('cdp_ps.customer_events_to_process')}) scanned at most twice (catalog estimates)`;
}
