import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntityIds } from '../../src/core/entityIds.js';
import { validateInputs } from '../../src/core/inputs.js';

/** The order entities.txt promises: by UTF-8 bytes, no repeats. */
const byBytes = (ids: string[]) => [...new Set(ids)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** A deterministic pseudo-random generator, so a failure can be run again. */
function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

async function fromFile(content: string): Promise<EntityIds> {
  return (await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'ids', entitiesFile: { path: 'ids.txt', content } })).entities;
}

describe('entity ids in the order of entities.txt', () => {
  it('sorts a list file by bytes and drops repeats, whatever the ids share (prefixes longer than the radix window, ties past it, lengths)', async () => {
    const next = rng(7);
    const alphabet = '!#$%&()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~';
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const head = ['', 'customer-00000000', 'customer-000000001', 'x'][Math.floor(next() * 4)] as string;
      let tail = '';
      for (let k = Math.floor(next() * 14); k > 0; k--) tail += alphabet[Math.floor(next() * alphabet.length)];
      const id = (head + tail).replace(/^#/, 'h');
      if (id !== '') ids.push(id);
    }
    ids.push(...ids.slice(0, 500));
    const got = await fromFile(`${ids.join('\n')}\n`);
    expect(got.list()).toEqual(byBytes(ids));
    expect(got.count).toBe(new Set(ids).size);
    // In order already (the common case: a file restitch or diagnose wrote), the same.
    expect((await fromFile(`${byBytes(ids).join('\n')}\n`)).list()).toEqual(byBytes(ids));
  });

  it('orders ids beyond ASCII by their UTF-8 bytes, not by UTF-16 code units', async () => {
    const ids = ['b', '\u{1F600}', '\uE000', '\uFFFF', 'é', 'a', 'ä', '\u{10000}'];
    expect((await fromFile(`${ids.join('\n')}\n`)).list()).toEqual(byBytes(ids));
    expect(EntityIds.of(ids).list()).toEqual(byBytes(ids));
    // UTF-16 would put U+E000 after the surrogate pairs; bytes put it before them.
    expect(byBytes(ids).indexOf('\uE000')).toBeLessThan(byBytes(ids).indexOf('\u{1F600}'));
  });

  it('reads a list file as before: comments, blank lines, \\# and blanks around ids; refuses a bad id naming its line', async () => {
    expect((await fromFile('# a comment\n\n  b \r\n\\#hash\nb\na\n')).list()).toEqual(['#hash', 'a', 'b']);
    await expect(fromFile('a\nb c\n')).rejects.toThrow("ids.txt line 2: entity id 'b c' must be 1 to 200 characters without spaces or control characters");
    await expect(fromFile(`a\n${'x'.repeat(201)}\n`)).rejects.toThrow(/ids\.txt line 2: entity id 'x+' must be 1 to 200/);
    await expect(fromFile('# only a comment\n')).rejects.toThrow(/ids\.txt holds no entity id/);
  });

  it('has the digest of its ids, each with a newline, and writes a backslash as \\\\ in the file', () => {
    const ids = EntityIds.of(['b\\c', 'a']);
    expect(ids.digest()).toBe(createHash('sha256').update('a\nb\\c\n').digest('hex'));
    expect(ids.text()).toBe('a\nb\\\\c\n');
    expect(ids.fileSha256()).toBe(createHash('sha256').update('a\nb\\\\c\n').digest('hex'));
    expect(ids.first()).toBe('a');
    expect(EntityIds.of([]).first()).toBeNull();
  });

  it('takes back an entities.txt as restitch wrote it, and nothing else (then it is read id by id)', () => {
    expect(EntityIds.fromFileText('a\nb\nc\n')?.list()).toEqual(['a', 'b', 'c']);
    for (const text of ['b\na\n', 'a\na\n', 'a\n\nb\n', 'a\\\\b\n', 'a\nb', 'é\n', 'a b\n']) expect(EntityIds.fromFileText(text), JSON.stringify(text)).toBeNull();
  });
});
