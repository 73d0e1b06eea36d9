/**
 * What the diagnosis stages of both schemas share: the database interface, the options, the
 * limits every listing and count stops at, and the key-order sample of an event table.
 */
import type { DialectName } from '../core/types.js';
import type { Finding } from './finding.js';
import { coverage, sliceStarts, type Block, type Coverage } from './keySample.js';
import { DEFAULT_NORMALISATIONS, type Normalisation, type SplitGroup } from './normaliseIdentifier.js';

/** The part of a database client diagnose uses. */
export interface Db {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Which platform schema is read. */
export type DiagnoseSchema = 'current' | 'legacy';

/** What to look for and how far. */
export interface DiagnoseOptions {
  dialect: DialectName;
  /** current: customer_attributes / customer_events; legacy: cdp_ce / cdp_ps / cdp_attr. */
  schema: DiagnoseSchema;
  /** Extra junk values (`--junk`). */
  junk: string[];
  /** Which normalisations make two values one identifier (`--normalise`; normaliseIdentifier.ts). */
  normalisations: readonly Normalisation[];
  /** An entity with at least this many events is giant (default 10,000). */
  minEvents: number;
  /** An entity with more identifiers than this is giant. */
  maxIdentifiers: number;
  /** A value held by at least this many entities is no identifier of one customer (default 5). */
  maxEntitiesPerValue: number;
  /** How many candidate entities get their events counted (per kind of candidate). */
  sample: number;
  /** How many events the key-order sample reads at most (default 20,000). */
  sampleEvents: number;
  /** Legacy schema: the payload field the PS rule reads the identifier from. */
  payloadField: string;
  /** Statement timeout in ms. */
  timeoutMs: number;
  /** Told what diagnose is about to read, before it reads it. */
  onCost?: (line: string) => void;
  /**
   * Stop after this many seconds with the findings so far (`--max-seconds`). Checked between
   * the stages: a stage under way finishes, each of its statements bounded by the statement timeout.
   */
  maxSeconds?: number;
  /** The clock in ms (tests pass their own). */
  now?: () => number;
}

export const DEFAULT_DIAGNOSE_OPTIONS: Omit<DiagnoseOptions, 'dialect'> = {
  schema: 'current',
  junk: [],
  normalisations: DEFAULT_NORMALISATIONS,
  minEvents: 10_000,
  maxIdentifiers: 1_000,
  maxEntitiesPerValue: 5,
  sample: 100,
  sampleEvents: 20_000,
  payloadField: 'ps_identifier',
  timeoutMs: 60_000,
};

/** Rows any one listing returns at most; event counts stop at COUNT_CAP (then they are lower bounds). */
export const ROW_LIMIT = 10_000;
export const COUNT_CAP = 1_000_000;
export const EXAMPLES = 5;
/** Blocks of the key-order sample (each reads sampleEvents / SLICES rows). */
export const SLICES = 50;

/**
 * A number read back from the database. CockroachDB returns INT8 (every INT) and PostgreSQL
 * bigint (count(*)) as text through node-postgres; parsed here, at the boundary.
 */
export const num = (v: unknown): number => {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n)) throw new Error(`not a number from the database: ${String(v)}`);
  return n;
};
export const quote = (v: string) => `'${v}'`;

/** The finding for one group of values that name the same customer in different entities (both schemas). */
export function splitFinding(g: SplitGroup): Finding {
  return {
    kind: 'split-customer',
    severity: 'medium',
    title: `split customer: ${g.holders.map((h) => quote(h.value)).join(', ')} held by ${g.entities.length} entities`,
    entities: g.entities,
    evidence: { entities: g.entities.length, values: g.holders.length },
    examples: g.holders.map((h) => `${quote(h.value)}: ${h.entities.slice(0, EXAMPLES).join(' ')}`),
  };
}

/** A stage: its name (for --max-seconds) and what it finds. */
export type Stage = [string, () => Promise<Finding[]>];

/** A key-order sample of an event table: each row once, and what it covered. */
export interface EventSample<R> {
  rows: R[];
  coverage: Coverage;
}

/**
 * Reads the key-order sample with `sql` ($1 a slice start, $2 rows per block, then `params`),
 * keyed by `id`. Blocks overlap where a slice holds fewer rows than a block reads; each row is
 * kept once.
 */
export async function readSample<R extends { id: string }>(db: Db, sql: string, sampleEvents: number, params: unknown[] = []): Promise<EventSample<R>> {
  const perSlice = Math.max(1, Math.ceil(sampleEvents / SLICES));
  const blocks: Block[] = [];
  const rows = new Map<string, R>();
  for (const start of sliceStarts(SLICES)) {
    const block = (await db.query<R>(sql, [start, perSlice, ...params])).rows;
    blocks.push({ start, keys: block.map((r) => r.id) });
    for (const r of block) rows.set(r.id, r);
    // A short block reached the end of the table: the later slices hold nothing more.
    if (block.length < perSlice) break;
  }
  return { rows: [...rows.values()], coverage: coverage(blocks, perSlice) };
}
