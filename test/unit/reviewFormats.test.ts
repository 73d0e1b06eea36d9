import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOutput } from '../../src/cli/errorOutput.js';
import { errorAnnotation, escapeData, escapeProperty } from '../../src/cli/githubAnnotations.js';
import { firstDifferentLine } from '../../src/core/compare.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const EXAMPLE = join(ROOT, 'generated', 'examples', 'multi-entity-postgres');

/** A copy of an example runbook with line `line` of `file` replaced. */
function drifted(file: string, line: number, text: string): string {
  const dir = join(tempDir('review'), 'rb');
  cpSync(EXAMPLE, dir, { recursive: true });
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  lines[line - 1] = text;
  writeFileSync(join(dir, file), lines.join('\n'));
  return dir;
}

describe('GitHub workflow commands', () => {
  it('escape %, CR and LF in the message, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('dir,1/a:b%.sql\n')).toBe('dir%2C1/a%3Ab%25.sql%0A');
    expect(errorAnnotation({ file: 'a,b.sql', line: 3, title: 'restitch lint: x' }, 'line one\nline two')).toBe(
      '::error file=a%2Cb.sql,line=3,title=restitch lint%3A x::line one%0Aline two\n',
    );
    expect(errorAnnotation({}, 'plain')).toBe('::error::plain\n');
  });

  it('firstDifferentLine: the first line that differs, a missing tail at the last line', () => {
    expect(firstDifferentLine('a\nb\nc\n', 'a\nB\nc\n')).toBe(2);
    expect(firstDifferentLine('a\nb\n', 'a\nb\nc\n')).toBe(3);
    expect(firstDifferentLine('a\nb\nc\n', 'a\n')).toBe(1);
    expect(firstDifferentLine('a\n', '')).toBe(1);
  });
});

describe('restitch lint --format github / --json', () => {
  it('one annotation per finding at its file and line, file names with , and : escaped', { timeout: 60_000 }, () => {
    const file = join(tempDir('review'), 'fix,1:a.sql');
    writeFileSync(file, "SELECT 1;\nSELECT count(*) / 2 FROM t;\nBEGIN;\nCOPY s.t (id) FROM STDIN;\na\n\\.\nCOMMIT;\n");
    const r = runCli(['lint', '--dialect', 'cockroachdb', '--format', 'github', file]);
    expect(r.code).toBe(1);
    const escaped = file.replace(/,/g, '%2C').replace(/:/g, '%3A');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^::error file=${escaped.replace(/[.%/]/g, '\\$&')},line=2,title=restitch lint%3A int-division::INT / INT is DECIMAL`)),
      expect.stringMatching(/^::error file=.*,line=4,title=restitch lint%3A copy-in-transaction::COPY/),
    ]);
  });

  it('--json: one object with every finding, exit codes unchanged', { timeout: 60_000 }, () => {
    const file = join(tempDir('review'), 'x.sql');
    writeFileSync(file, 'UPDATE t SET a = 1;\n');
    const bad = runCli(['lint', '--dialect', 'postgres', '--json', file]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, findings: [{ file, line: 1, rule: 'update-delete-where', reason: expect.stringMatching(/without WHERE/) }] });
    const clean = runCli(['lint', '--format', 'json', join(EXAMPLE, '13-reset-events.sql')]);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ ok: true, findings: [] });
  });
});

describe('restitch check --format github / --json, diff --json', () => {
  it('check: an annotation on the drifted file at its first differing line, with what the manifest renders there', { timeout: 60_000 }, () => {
    const dir = drifted('05-entities-loaded.sql', 12, '-- edited by hand');
    const r = runCli(['check', '--format', 'github', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=[^,]*\/rb\/05-entities-loaded\.sql,line=12,title=restitch check%3A drift::05-entities-loaded\.sql differs from what .*manifest\.json renders, first at line 12 \(manifest\.json renders here: 'the working table holds/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const clean = runCli(['check', '--format', 'github', EXAMPLE]);
    expect([clean.code, clean.stdout]).toEqual([0, '']);
  });

  it('check --json and diff --json: one object each, exit 1 on a difference', { timeout: 60_000 }, () => {
    const dir = drifted('05-entities-loaded.sql', 12, '-- edited by hand');
    const check = runCli(['check', '--json', dir, EXAMPLE]);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as { ok: boolean; runbooks: { dir: string; ok: boolean; drift: { file: string; line: number }[] }[] };
    expect(report.ok).toBe(false);
    expect(report.runbooks.map((r) => [r.ok, r.drift.map((d) => [d.file, d.line])])).toEqual([
      [false, [[join(dir, '05-entities-loaded.sql'), 12]]],
      [true, []],
    ]);
    const diff = runCli(['diff', '--json', EXAMPLE, dir]);
    expect(diff.code).toBe(1);
    expect(JSON.parse(diff.stdout)).toEqual({ same: false, files: [{ path: '05-entities-loaded.sql', line: 12, patch: expect.stringMatching(/\+-- edited by hand/) }] });
    const same = runCli(['diff', '--json', EXAMPLE, EXAMPLE]);
    expect([same.code, JSON.parse(same.stdout)]).toEqual([0, { same: true, files: [] }]);
  });
});

describe('errors under --json and --format github', () => {
  it('an error is one JSON object on stdout as well, with the same exit code', { timeout: 60_000 }, () => {
    for (const args of [['lint', '--json', '--dialect', 'postgres', 'nope.sql'], ['check', '--json', 'nope'], ['diff', '--json', 'nope', 'nope2'], ['check', '--json', '--bogus']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout), args.join(' ')).toEqual({ error: { message: expect.any(String), exitCode: 2 } });
      expect(r.stderr, args.join(' ')).not.toBe('');
    }
    expect(JSON.parse(runCli(['lint', '--json', '--dialect', 'postgres', 'nope.sql']).stdout).error.message).toBe('nope.sql: no such file');
  });

  it('--format github turns an error into an annotation; two formats at once is a usage error', { timeout: 60_000 }, () => {
    const r = runCli(['lint', '--format', 'github', '--dialect', 'postgres', 'nope.sql']);
    expect([r.code, r.stdout]).toEqual([2, '::error title=restitch::nope.sql: no such file\n']);
    const both = runCli(['check', '--json', '--format', 'github', EXAMPLE]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^restitch: --json and --format github ask for two formats/);
    const unknown = runCli(['lint', '--format', 'sarif', join(EXAMPLE, '13-reset-events.sql')]);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'restitch: --format sarif: choose one of text, github, json\n']);
  });

  it('without a format, stdout stays empty on an error; after -- an option is an argument', () => {
    expect(errorOutput(['lint', 'x.sql'], 'm', 2)).toBe('');
    expect(errorOutput(['lint', '--', '--json'], 'm', 2)).toBe('');
    expect(errorOutput(['lint', '--format=github', 'x'], 'a: b', 1)).toBe('::error title=restitch::a: b\n');
  });
});

describe('docs/restitch-review.yml', () => {
  const workflow = readFileSync(join(ROOT, 'docs', 'restitch-review.yml'), 'utf8');

  it('runs on pull requests that touch generated/, and its restitch commands are valid usage that print only annotations', { timeout: 120_000 }, () => {
    expect(workflow).toMatch(/\non:\n  pull_request:\n    paths:\n      - 'generated\/\*\*'\n/);
    const commands = [...workflow.matchAll(/^\s+run: npx restitch (.+)$/gm)].map((m) => m[1]!.split(' '));
    expect(commands.map((c) => c[0])).toEqual(['check', 'lint']);
    for (const args of commands) {
      const r = runCli(args);
      // 0 clean or 1 findings, never 2 (bad usage); stdout holds nothing but annotations.
      expect([0, 1], args.join(' ')).toContain(r.code);
      for (const line of r.stdout.split('\n').filter(Boolean)) expect(line, args.join(' ')).toMatch(/^::error file=[^:]+,line=\d+,title=restitch (check|lint)%3A [\w-]+::/);
    }
  });
});
