/**
 * The entity ids of a runbook, held as the text of entities.txt (one id a line, sorted by their
 * bytes, no repeats) and their count rather than a string per id: at 1,000,000 ids those strings
 * and their arrays were most of the memory of generate and check. The file's text, the ids'
 * digest and the file's sha256 are computed once, however many parts of the render ask.
 */
import { createHash } from 'node:crypto';
import { sortSpans, sortUniqueIds, type Spans } from './idSort.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export class EntityIds {
  private memo: { text: string; digest: string; sha256: string } | null = null;

  private constructor(
    /** The ids, each followed by a newline, unescaped. */
    private readonly plain: string,
    readonly count: number,
    /** `plain` as bytes, when it was built from bytes (hashed without another copy), until hashed. */
    private bytes: Uint8Array | null,
  ) {}

  /** From ids already validated, in any order, repeats allowed. */
  static of(ids: readonly string[]): EntityIds {
    const sorted = sortUniqueIds([...ids]);
    return new EntityIds(sorted.length === 0 ? '' : `${sorted.join('\n')}\n`, sorted.length, null);
  }

  /** From the spans of ASCII bytes that are ids (validated by the caller): sorted, repeats dropped. */
  static fromSpans(spans: Spans): EntityIds {
    const order = sortSpans(spans);
    const { start, end } = spans;
    let total = 0;
    for (let j = 0; j < order.length; j++) {
      const i = order[j] as number;
      total += (end[i] as number) - (start[i] as number) + 1;
    }
    // Byte by byte: a native copy per id costs more than the copying itself.
    const source = spans.bytes;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (let j = 0; j < order.length; j++) {
      const i = order[j] as number;
      for (let k = start[i] as number, stop = end[i] as number; k < stop; k++) out[at++] = source[k] as number;
      out[at++] = 0x0a;
    }
    return new EntityIds(out.toString('latin1'), order.length, out);
  }

  /**
   * The ids of an entities.txt that restitch wrote (ASCII, no backslash, one id a line, in order,
   * no repeats, each a valid id), taken as they are; null when the text is anything else, which
   * the caller then reads id by id.
   */
  static fromFileText(text: string): EntityIds | null {
    if (text === '') return new EntityIds('', 0, null);
    if (!text.endsWith('\n') || /[^\x21-\x5b\x5d-\x7e\n]/.test(text)) return null;
    let count = 0;
    let previous = -1;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end === start || end - start > 200) return null;
      if (previous >= 0 && !before(text, previous, start - 1, start, end)) return null;
      previous = start;
      start = end + 1;
      count++;
    }
    return new EntityIds(text, count, null);
  }

  /** The first id (the one of entity-oneshot), or null. */
  first(): string | null {
    return this.count === 0 ? null : this.plain.slice(0, this.plain.indexOf('\n'));
  }

  /** The ids as strings (small lists; a string each). */
  list(): string[] {
    return this.count === 0 ? [] : this.plain.slice(0, -1).split('\n');
  }

  private file(): { text: string; digest: string; sha256: string } {
    if (!this.memo) {
      const digest = sha256(this.bytes ?? this.plain);
      this.bytes = null;
      // COPY's text format: only a backslash needs escaping in an id; without one the file is the digested text.
      const escaped = this.plain.includes('\\');
      const text = escaped ? this.plain.replace(/\\/g, '\\\\') : this.plain;
      this.memo = { text, digest, sha256: escaped ? sha256(text) : digest };
    }
    return this.memo;
  }

  /** The text of entities.txt. */
  text(): string {
    return this.file().text;
  }

  /** sha256 (hex) of the ids, each followed by a newline: what the entities-loaded check recomputes. */
  digest(): string {
    return this.file().digest;
  }

  /** sha256 (hex) of entities.txt, as manifest.json records it. */
  fileSha256(): string {
    return this.file().sha256;
  }
}

/** Whether text[a..aEnd) sorts strictly before text[b..bEnd) (ASCII: by character code). */
function before(text: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let k = 0; k < n; k++) {
    const d = text.charCodeAt(a + k) - text.charCodeAt(b + k);
    if (d !== 0) return d < 0;
  }
  return aEnd - a < bEnd - b;
}
