/**
 * demo --out and diagnose --out: no link followed, no file replaced that restitch did not write,
 * the demo's targets checked before its server starts, and the sandbox server gone with the demo,
 * even when the demo is killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
let url: string;
beforeAll(async () => {
  await server.start();
  const db = await server.database('files', CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await db.end();
  url = server.url('files');
});
afterAll(() => server.stop());

/** One line, exit 2, and `file` left as it was. */
function refused(r: { code: number; stderr: string; stdout: string }, message: RegExp): void {
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
}

describe('diagnose --out', () => {
  it('never writes through a symbolic link, with or without --force, and says so before connecting', () => {
    const dir = tempDir('out-link');
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep\n');
    const link = join(dir, 'entities.txt');
    symlinkSync(target, link);
    refused(runCli(['diagnose', '--db', url, '--out', link, '--force']), /--out .*entities\.txt is a symbolic link/);
    refused(runCli(['diagnose', '--db', 'postgresql://nobody@127.0.0.1:1/none', '--out', link]), /is a symbolic link/);
    // A dangling link too: writing it would create the file it points to.
    const dangling = join(dir, 'dangling.txt');
    symlinkSync(join(dir, 'created-through-link'), dangling);
    refused(runCli(['diagnose', '--db', url, '--out', dangling, '--force']), /is a symbolic link/);
    expect(existsSync(join(dir, 'created-through-link'))).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(readlinkSync(link)).toBe(target);
  });

  it('--force replaces only a file diagnose wrote', () => {
    const dir = tempDir('out-force');
    const mine = join(dir, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    refused(runCli(['diagnose', '--db', url, '--out', mine]), /exists; add --force/);
    refused(runCli(['diagnose', '--db', url, '--out', mine, '--force']), /was not written by restitch/);
    expect(readFileSync(mine, 'utf8')).toBe('my notes\n');
    const own = join(dir, 'entities.txt');
    expect(runCli(['diagnose', '--db', url, '--out', own]).code).toBe(1);
    expect(readFileSync(own, 'utf8')).toMatch(/^# restitch diagnose: entities to reset/);
    refused(runCli(['diagnose', '--db', url, '--out', own]), /exists; add --force/);
    writeFileSync(own, `${readFileSync(own, 'utf8')}# an edit\n`);
    expect(runCli(['diagnose', '--db', url, '--out', own, '--force']).code).toBe(1);
    expect(readFileSync(own, 'utf8')).not.toContain('# an edit');
  });
});

describe('demo --out', () => {
  it('checks its targets before it starts a server: no link followed, nothing foreign replaced', () => {
    const dir = tempDir('demo-out');
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep\n');
    symlinkSync(target, join(dir, 'a-entities.txt'));
    writeFileSync(join(dir, 'b-entities.txt'), 'my list\n');
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'notes.txt'), 'mine\n');
    symlinkSync(join(dir, 'c'), join(dir, 'd'));
    expect(runCli(['generate', 'full-reset', '--dialect', 'postgres', '--incident', 'other', '--out', join(dir, 'e')]).code).toBe(0);
    for (const [name, message] of [
      ['a', /demo --out .*a-entities\.txt is a symbolic link/],
      ['b', /b-entities\.txt was not written by restitch/],
      ['c', /demo --out replaces only a restitch runbook directory; .*c has no manifest\.json/],
      ['d', /d is a symbolic link/],
      ['e', /holds the runbook of incident other, not the demo's/],
    ] as const) {
      const r = runCli(['demo', '--out', join(dir, name)]);
      refused(r, message);
      expect(r.stdout).not.toMatch(/PostgreSQL on port/);
    }
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(readFileSync(join(dir, 'b-entities.txt'), 'utf8')).toBe('my list\n');
    expect(readFileSync(join(dir, 'c', 'notes.txt'), 'utf8')).toBe('mine\n');
  });
});

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('the demo server', () => {
  it('has a random password, and stops with its data directory gone when the demo is killed with SIGKILL', async () => {
    const out = join(tempDir('demo-kill'), 'rb');
    const child = spawn(process.execPath, [BIN, 'demo', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise((resolve) => child.once('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!/PostgreSQL on port (\d+)/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const port = Number(/PostgreSQL on port (\d+)/.exec(stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    const dataDirs = [join(tmpdir(), `restitch-demo-${child.pid}`), `/tmp/restitch-demo-${child.pid}`];
    expect(dataDirs.some((d) => existsSync(d))).toBe(true);
    // The password is no longer the fixed 'restitch-sandbox' any local user could log in with.
    const guess = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'restitch-sandbox', database: 'postgres' });
    guess.on('error', () => {});
    await expect(guess.connect()).rejects.toThrow(/password authentication failed/);
    child.kill('SIGKILL');
    await exited;
    const gone = Date.now() + 20_000;
    while ((dataDirs.some((d) => existsSync(d)) || (await accepts(port))) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(await accepts(port)).toBe(false);
    expect(dataDirs.filter((d) => existsSync(d))).toEqual([]);
  });
});
