/**
 * A sample of a table keyed by UUIDs, read through its primary key only: the key space is cut
 * into slices, and from the start of each slice the next `perSlice` rows are read in key order
 * (`WHERE id >= start ORDER BY id LIMIT n`, an index range scan on PostgreSQL and a constrained
 * span on CockroachDB; no TABLESAMPLE, so the same statement serves both dialects). Event ids
 * are random UUIDs, so rows consecutive in key order are a random sample of the table.
 *
 * What the blocks read tells how much of the key space they covered: when the blocks meet
 * (each reached the next slice's start, or the end of the table) the sample is the whole table
 * and every figure from it is exact; otherwise a figure is scaled by the covered share of the
 * key space and labelled an estimate. Pure: no database.
 */

const SPACE = 1n << 128n;

/** The UUID at `value` (0 ≤ value < 2^128). */
function uuidAt(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The position of a UUID (any case, with or without dashes) in the key space. */
export function uuidValue(id: string): bigint {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a UUID: ${id}`);
  return BigInt(`0x${hex}`);
}

/** The first key of each of `slices` equal slices of the UUID space, in order. */
export function sliceStarts(slices: number): string[] {
  return Array.from({ length: slices }, (_, i) => uuidAt((SPACE * BigInt(i)) / BigInt(slices)));
}

/** One block: where it started and the keys it read, in key order. */
export interface Block {
  start: string;
  keys: string[];
}

/** How much of the table a sample holds. */
export interface Coverage {
  /** Distinct rows read. */
  rows: number;
  /** The blocks met: the sample is the whole table. */
  complete: boolean;
  /** The covered share of the key space (1 when complete). */
  share: number;
  /** Rows the table holds: exact when complete, else rows / share. */
  estimatedTotal: number;
}

/**
 * What blocks of at most `perSlice` keys, read from each slice start in order, covered: a full
 * block covers its start to its last key; a short block reached the table's end, so it covers
 * everything from its start on.
 */
export function coverage(blocks: readonly Block[], perSlice: number): Coverage {
  const spans = blocks
    .map((b) => {
      const from = uuidValue(b.start);
      const last = b.keys.at(-1);
      return { from, to: b.keys.length < perSlice || last === undefined ? SPACE : uuidValue(last) + 1n };
    })
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let covered = 0n;
  let reach = 0n;
  let gap = false;
  for (const { from, to } of spans) {
    if (from > reach) gap = true;
    const start = from > reach ? from : reach;
    if (to > start) covered += to - start;
    if (to > reach) reach = to;
  }
  const complete = !gap && reach >= SPACE;
  const rows = new Set(blocks.flatMap((b) => b.keys)).size;
  const share = complete ? 1 : Number((covered * 10n ** 12n) / SPACE) / 1e12;
  return { rows, complete, share, estimatedTotal: complete || share === 0 ? rows : Math.round(rows / share) };
}

/** A count seen in the sample, scaled to the table (exact when the sample is complete). */
export function scaled(count: number, c: Coverage): number {
  return c.complete || c.rows === 0 ? count : Math.round((count * c.estimatedTotal) / c.rows);
}

/** How a sampled figure is labelled in the report. */
export function sampleBasis(c: Coverage, noun: string): string {
  return `estimate from a sample of ${c.rows.toLocaleString('en-US')} of about ${c.estimatedTotal.toLocaleString('en-US')} ${noun}`;
}
