import { closeSync, openSync, ftruncateSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

/** One line on stderr starting `restitch:`, the exit code, no stack trace. */
function oneLine(r: { code: number; stderr: string }, code: number, message: RegExp): void {
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^restitch: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(r.code).toBe(code);
}

const runbook = (() => {
  let dir: string | null = null;
  return () => {
    if (dir) return dir;
    dir = join(tempDir('errlines'), 'rb');
    expect(runCli(['generate', 'full-reset', '--dialect', 'postgres', '--incident', 'e1', '--out', dir]).code).toBe(0);
    return dir;
  };
})();

describe('--db', () => {
  it.each(['postgresql://u:%zz@localhost/x', 'postgresql://u@localhost/x%zz', 'postgresql://u:%C3%28@localhost/x'])('a malformed percent-escape (%s) is exit 2, one line', (url) => {
    oneLine(runCli(['run', runbook(), '--db', url, '--dry-run']), 2, /--db has a malformed percent-escape/);
    oneLine(runCli(['diagnose', '--db', url]), 2, /--db has a malformed percent-escape/);
    oneLine(runCli(['status', runbook(), '--db', url]), 2, /--db has a malformed percent-escape/);
  });

  it('an empty --db is bad usage and never falls back to DATABASE_URL or PG*', () => {
    for (const args of [['run', runbook(), '--dry-run'], ['status', runbook()], ['diagnose']]) {
      oneLine(runCli([...args, '--db', '']), 2, /--db is empty/);
      oneLine(runCli([...args, '--db', '  ']), 2, /--db is empty/);
    }
  });
});

describe('--where with control characters', () => {
  it.each([
    ["payload->>'k' = '\u0001'", /U\+0001 at character 18/],
    ["payload->>'k' = 'a\u001b[2Jb'", /U\+001B at character 19/],
    ['a = \u007f', /U\+007F/],
  ])('%j is one line, exit 2', (where, message) => {
    const out = join(tempDir('where-cc'), 'rb');
    oneLine(runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'w1', '--entity', 'e1', '--out', out, '--where', where]), 2, message);
  });
});

describe('--entities-file size limit', () => {
  const gen = (file: string) => runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'big', '--entities-file', file, '--out', join(tempDir('big-out'), 'rb')]);

  it('/dev/zero stops at the limit with one line', () => {
    oneLine(gen('/dev/zero'), 2, /--entities-file \/dev\/zero is larger than 128 MiB, the limit/);
  });

  it('a huge (sparse) file stops at the limit with one line', () => {
    const file = join(tempDir('big'), 'ids.txt');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 20 * 1024 * 1024 * 1024);
    closeSync(fd);
    oneLine(gen(file), 2, /is larger than 128 MiB, the limit/);
  });

  it('a directory is one line', () => {
    const dir = join(tempDir('big'), 'd');
    mkdirSync(dir);
    oneLine(gen(dir), 2, /cannot be read: EISDIR/);
  });
});
