import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWhere } from '../../src/core/where.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const gen = (out: string, ...extra: string[]) =>
  runCli(['generate', 'full-reset', '--dialect', 'postgres', '--incident', 'x1', '--out', out, ...extra]);

/** One line on stderr, exit 2, no stack trace. */
function oneLineUsageError(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe('generate --force replaces only a restitch runbook', () => {
  it('keeps a foreign directory and its files', () => {
    const dir = join(tempDir('force'), 'x');
    mkdirSync(join(dir, 'photos'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'n\n');
    oneLineUsageError(gen(dir, '--force'), /--force replaces only a restitch runbook directory; .* has no manifest\.json/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('n\n');
    expect(existsSync(join(dir, 'photos'))).toBe(true);
  });

  it('keeps a regular file given as --out', () => {
    const file = join(tempDir('force'), 'notes.txt');
    writeFileSync(file, 'n\n');
    oneLineUsageError(gen(file, '--force'), /is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('n\n');
  });

  it('keeps a runbook that holds a file of someone else, and a manifest that is not restitch\'s', () => {
    const dir = join(tempDir('force'), 'rb');
    expect(gen(dir).code).toBe(0);
    writeFileSync(join(dir, 'my-notes.md'), 'mine\n');
    oneLineUsageError(gen(dir, '--force'), /holds my-notes\.md, which is not part of the runbook/);
    expect(existsSync(join(dir, 'my-notes.md'))).toBe(true);
    const other = join(tempDir('force'), 'pkg');
    mkdirSync(other);
    writeFileSync(join(other, 'manifest.json'), '{"name":"something else"}');
    oneLineUsageError(gen(other, '--force'), /manifest\.json that is not restitch's/);
  });

  it('replaces a runbook and says what it replaced', () => {
    const dir = join(tempDir('force'), 'rb');
    expect(gen(dir).code).toBe(0);
    const r = gen(dir, '--force');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replaced the full-reset runbook of incident x1 at .*rb\n/);
  });
});

describe('--where holds only a filter', () => {
  it('refuses a side-effecting function in a subquery, naming it', async () => {
    const where = '(SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> 0) >= 0';
    await expect(validateWhere(where)).rejects.toThrow(/found a subquery.*pg_terminate_backend\(\)/);
    await expect(validateWhere('pg_terminate_backend(42)')).rejects.toThrow(/function pg_terminate_backend\(\), which is not on the allow-list/);
  });

  it.each([
    ["x::regclass IS NULL", /cast to regclass/],
    ["current_user = 'postgres'", /SQLValueFunction/],
    ['a OPERATOR(public.===) 1', /qualified operator/],
    ['count(*) OVER () > 1', /count\(\)/],
    ["pg_catalog.set_config('a.b', 'c', false) = 'c'", /pg_catalog\.set_config\(\)/],
  ])('refuses %s', async (where, message) => {
    await expect(validateWhere(where)).rejects.toThrow(message);
  });

  it('accepts what a filter needs', async () => {
    const where =
      "customer_events.payload->>'ps_identifier' = 'None' AND lower(payload->>'k')::text IN ('a', 'b') " +
      "AND event_time >= '2026-01-01'::timestamptz AND payload ? 'k' AND payload @> '{\"a\":1}'::jsonb " +
      "AND NOT (id = ANY (ARRAY['x'])) AND payload->>'n' IS NOT NULL AND coalesce(payload->>'z', '') LIKE 'a%'";
    await expect(validateWhere(where)).resolves.toBe(where);
  });

  it('refuses a backslash, which reads differently when standard_conforming_strings is off', async () => {
    await expect(validateWhere("'a\\' = '; DROP TABLE customer_events; --'")).rejects.toThrow(/must not contain a backslash/);
  });
});

describe('bad paths and values: one line, exit 2', () => {
  it('--out under /proc fails at once', () => {
    oneLineUsageError(gen('/proc/x'), /ENOENT/);
  });

  // sysfs refuses new entries (EPERM; EROFS where a container mounts it read-only), even to root.
  it.skipIf(!existsSync('/sys/kernel'))('--out where the file system refuses to create it fails with EPERM', () => {
    oneLineUsageError(gen('/sys/kernel/restitch-x'), /EPERM|EROFS/);
  });

  it('--out under a file fails with ENOTDIR', () => {
    const file = join(tempDir('paths'), 'f');
    writeFileSync(file, '');
    oneLineUsageError(gen(join(file, 'rb')), /EEXIST|ENOTDIR/);
  });

  it('diff against a directory that is not a runbook', () => {
    const r = runCli(['diff', 'generated/examples/full-reset-postgres', '/etc']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['restitch: /etc/manifest.json is missing: not a restitch runbook']);
  });

  it('escapes control characters and shortens long values in messages', () => {
    const r = runCli(['generate', 'full-reset', '--dialect', 'postgres', '--incident', `a\u001b[2Jb${'x'.repeat(5000)}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\u001b/);
    expect(r.stderr).toMatch(/a\\u001b\[2Jb/);
    expect(r.stderr.length).toBeLessThan(800);
  });
});

describe('dates and entities files', () => {
  const multi = (out: string, ...extra: string[]) =>
    runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'x2', '--out', out, ...extra]);

  it.each(['2026-02-30', '0000-01-01', '2026-02-29', '2026-13-01', '2026-01-01T24:00'])('refuses the date %s', (date) => {
    const out = join(tempDir('dates'), 'rb');
    oneLineUsageError(multi(out, '--entity', 'a', '--event-time-from', date), /--event-time-from must be an ISO 8601 date/);
    expect(existsSync(out)).toBe(false);
  });

  it('accepts 29 February of a leap year', () => {
    expect(multi(join(tempDir('dates'), 'rb'), '--entity', 'a', '--event-time-from', '2024-02-29').code).toBe(0);
  });

  it('refuses invalid UTF-8 in an entities file, naming the file and line', () => {
    const dir = tempDir('ids');
    const file = join(dir, 'ids.txt');
    writeFileSync(file, Buffer.concat([Buffer.from('good-id\n'), Buffer.from([0x61, 0xff, 0x62]), Buffer.from('\n')]));
    oneLineUsageError(multi(join(dir, 'rb'), '--entities-file', file), /ids\.txt line 2 is not valid UTF-8/);
  });

  it('reads \\# at the start of a line as an id that starts with #; # alone starts a comment', () => {
    const dir = tempDir('ids');
    const file = join(dir, 'ids.txt');
    writeFileSync(file, '# a comment\n\\#hash-id\nplain-id\n');
    const out = join(dir, 'rb');
    expect(multi(out, '--entities-file', file).code).toBe(0);
    expect(readFileSync(join(out, 'entities.txt'), 'utf8')).toBe('#hash-id\nplain-id\n');
  });
});
