/**
 * Key ranges of a batch walk that workers walk side by side (`restitch run --parallel`). A walk is
 * always split the same way, into RANGES parts of equal width between its lowest and highest key
 * (a backup is a snapshot: the same keys on every run), whatever the number of workers: resumed
 * with another --parallel, or none, every range still finds its own highest key done. Keys are
 * positions (PostgreSQL ctids, `(block,line)`, ordered as block * 65536 + line: a line pointer is
 * below 2^16), whole numbers, or UUIDs (CockroachDB's primary key order).
 */

/** How many parts every ranged walk is cut into; workers take the next unfinished one. */
export const RANGES = 64;

/** One range: keys after `after` (null: from the walk's generated start) up to and including `upTo`. */
export interface KeyRange {
  after: string | null;
  upTo: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TID = /^\((\d+),(\d+)\)$/;
const LINES = 65536n;

function toBig(key: string): bigint {
  if (/^-?\d+$/.test(key)) return BigInt(key);
  const tid = TID.exec(key);
  if (tid) return BigInt(tid[1] as string) * LINES + BigInt(tid[2] as string);
  if (UUID.test(key)) return BigInt(`0x${key.replace(/-/g, '')}`);
  throw new Error(`a ranged walk needs position, whole-number or UUID keys, not '${key}'`);
}

function fromBig(value: bigint, like: string): string {
  if (/^-?\d+$/.test(like)) return value.toString();
  if (TID.test(like)) return `(${value / LINES},${value % LINES})`;
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The walk from `lo` to `hi` (its lowest and highest key) in at most `parts` non-empty ranges, in key order. */
export function splitRange(lo: string, hi: string, parts = RANGES): KeyRange[] {
  const a = toBig(lo);
  const b = toBig(hi);
  if (b < a) return [];
  const width = b - a + 1n;
  const out: KeyRange[] = [];
  let after: bigint | null = null;
  for (let k = 1; k <= parts; k++) {
    const upTo = a - 1n + (width * BigInt(k)) / BigInt(parts);
    if (after !== null && upTo <= after) continue;
    if (after === null && upTo < a) continue;
    out.push({ after: after === null ? null : fromBig(after, lo), upTo: fromBig(upTo, lo) });
    after = upTo;
  }
  return out;
}
