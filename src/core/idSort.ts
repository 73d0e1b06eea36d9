/**
 * Entity ids in the order entities.txt holds them: by their UTF-8 bytes, as PostgreSQL's "C"
 * collation and CockroachDB's STRING compare them (CockroachDB: DString.Compare in
 * pkg/sql/sem/tree/datum.go compares Go strings). At 1,000,000 ids Array.prototype.sort took 3-4 s
 * on shuffled input; an LSD radix sort over a few characters after the prefix all ids share, then a
 * comparison sort of each run that ties on them, takes a fraction of that.
 */

/** Characters after the shared prefix that the radix sort orders by; ties are compared whole. */
const WIDTH = 8;

/** A character from U+D800 up: there UTF-16 order and byte order part. */
const WIDE = /[\ud800-\uffff]/;

/** Byte order of the UTF-8 encodings, which is code point order. */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Sorts `ids` in place by their UTF-8 bytes and, with `unique`, drops repeats; returns `ids`.
 * Ids already in order cost one pass.
 */
export function sortUniqueIds(ids: string[], unique = true): string[] {
  if (ids.length >= 2) {
    if (ids.some((id) => WIDE.test(id))) ids.sort(byCodePoint);
    else if (!ids.every((id, i) => i === 0 || (ids[i - 1] as string) <= id)) ids.sort();
  }
  if (!unique) return ids;
  let w = 0;
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[w - 1]) ids[w++] = ids[i] as string;
  ids.length = w;
  return ids;
}

/** Spans of one ASCII text (as its bytes), each an id: `start[i]` to `end[i]` (exclusive). */
export interface Spans {
  bytes: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
  count: number;
}

function compareSpans(s: Spans, a: number, b: number): number {
  const { bytes, start, end } = s;
  const sa = start[a] as number;
  const sb = start[b] as number;
  const la = (end[a] as number) - sa;
  const lb = (end[b] as number) - sb;
  const n = Math.min(la, lb);
  for (let k = 0; k < n; k++) {
    const d = (bytes[sa + k] as number) - (bytes[sb + k] as number);
    if (d !== 0) return d;
  }
  return la - lb;
}

function sharedPrefix(s: Spans): number {
  const { bytes, start, end } = s;
  const s0 = start[0] as number;
  let prefix = s.count === 0 ? 0 : (end[0] as number) - s0;
  for (let i = 1; i < s.count && prefix > 0; i++) {
    const si = start[i] as number;
    const len = Math.min(prefix, (end[i] as number) - si);
    let k = 0;
    while (k < len && bytes[si + k] === bytes[s0 + k]) k++;
    prefix = k;
  }
  return prefix;
}

function identity(n: number): Uint32Array {
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  return index;
}

/** The spans' order by bytes, repeats dropped: indexes into the spans, as many as there are distinct ids. */
export function sortSpans(s: Spans): Uint32Array {
  const n = s.count;
  let ordered = true;
  let repeats = false;
  for (let i = 1; i < n && ordered; i++) {
    const d = compareSpans(s, i - 1, i);
    if (d > 0) ordered = false;
    else if (d === 0) repeats = true;
  }
  if (ordered && !repeats) return identity(n);
  const { index, differ } = ordered ? { index: identity(n), differ: null } : radix(s);
  // Repeats stand side by side now; after the radix sort only ids that tie on its window can be equal.
  let w = 0;
  for (let i = 0; i < n; i++) {
    const at = index[i] as number;
    if (w === 0 || (differ !== null && differ(index[w - 1] as number, at)) || compareSpans(s, index[w - 1] as number, at) !== 0) index[w++] = at;
  }
  return index.subarray(0, w);
}

/** The spans in order, and a test that two of them differ in the sorted window (then they are not equal). */
function radix(s: Spans): { index: Uint32Array; differ: (a: number, b: number) => boolean } {
  const { bytes, start, end, count: n } = s;
  const prefix = sharedPrefix(s);
  // A byte + 1 per position, 0 past the end (a shorter id sorts first).
  const keys = new Uint8Array(n * WIDTH);
  for (let i = 0; i < n; i++) {
    const from = (start[i] as number) + prefix;
    const stop = Math.min(end[i] as number, from + WIDTH);
    for (let p = from; p < stop; p++) keys[i * WIDTH + p - from] = (bytes[p] as number) + 1;
  }
  let index: Uint32Array = identity(n);
  let spare: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(130);
  for (let p = WIDTH - 1; p >= 0; p--) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = keys[i * WIDTH + p] as number;
      counts[d] = (counts[d] as number) + 1;
    }
    for (let d = 0, sum = 0; d < counts.length; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = index[i] as number;
      const d = keys[at * WIDTH + p] as number;
      const slot = counts[d] as number;
      counts[d] = slot + 1;
      spare[slot] = at;
    }
    [index, spare] = [spare, index];
  }
  // Runs that tie on the window differ only after it: a comparison sort of each.
  const sameKey = (a: number, b: number) => {
    for (let p = 0; p < WIDTH; p++) if (keys[a * WIDTH + p] !== keys[b * WIDTH + p]) return false;
    return true;
  };
  for (let lo = 0; lo < n; ) {
    let hi = lo + 1;
    while (hi < n && sameKey(index[lo] as number, index[hi] as number)) hi++;
    if (hi - lo > 1) index.subarray(lo, hi).sort((a, b) => compareSpans(s, a, b));
    lo = hi;
  }
  return { index, differ: (a, b) => !sameKey(a, b) };
}
