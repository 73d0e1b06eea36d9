/**
 * The prompts of an interactive run: every change and batch step is asked for, the
 * point-of-no-return step says in words that undo becomes impossible, Ctrl-C at a question
 * stops the run (130), and a step's time does not count the time spent at its question.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalUi } from '../../src/cli/terminalUi.js';
import { runInProcess as runInProcessWith } from '../../src/runner/runInProcess.js';
import { openSession } from '../../src/runner/connection/session.js';
import { silentUi } from '../../src/runner/ui.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { confirmManual, platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-prompts-'));
let dbCount = 0;
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const JOURNAL = 'external_data.restitch_journal';
const DIR = join(EXAMPLES_DIR, 'multi-entity-postgres');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seeded(): Promise<{ db: pg.Client; url: string }> {
  const name = `p${++dbCount}`;
  const db = await server.database(name, CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  return { db, url: server.url(name) };
}

/** A UI that answers every question with `answer` after `delayMs`, and keeps what was asked and said. */
function answering(answer: boolean, delayMs = 0) {
  const asked: string[] = [];
  const said: string[] = [];
  const ui = {
    ...silentUi,
    say: (t: string) => void said.push(t),
    confirm: async (q: string) => {
      asked.push(q);
      await sleep(delayMs);
      return answer;
    },
  };
  return { ui, asked, said };
}

describe('an interactive run', () => {
  it('asks before every change and batch step (not only the first), and before the point of no return says that undo becomes impossible', async () => {
    const { db, url } = await seeded();
    const { ui, asked, said } = answering(true);
    const platform = platformBeside(url, false, JOURNAL);
    const report = await runInProcess(DIR, url, { yes: false, to: 14 }, ui);
    await platform.stop();
    expect(report.exitCode, JSON.stringify(report.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(asked).toEqual([
      'Run step 2/16 (change): Create the working schema and tables?',
      'Run step 4/16 (change): Load the chosen entity ids into the working table?',
      'Run step 6/16 (change): Back up the entities to reset?',
      'Run step 8/16 (change): Export the events to reset (their ids, stitched and identifiers)?',
      'Run step 10/16 (batch): Mark the entities for deletion (modified and identifiers to NULL)?',
      'Go past the point of no return: run step 12/16 (wait): Wait until the clean-up routine has deleted the entities?',
      'Run step 13/16 (batch): Reset the events (stitched and identifiers to NULL)?',
    ]);
    expect(said).toContain("POINT OF NO RETURN: once step 12 is done, undo becomes impossible: 'restitch run --undo' refuses from then on, and the way back is forward (re-stitching the profiles).");
    const batchPrompt = said.find((t) => t.startsWith('step 10/16 (batch) will run in batches'));
    expect(batchPrompt).toContain('UPDATE');
    expect((await db.query(`SELECT step, confirmed_by FROM ${JOURNAL} WHERE step IN (10, 12, 13) ORDER BY step`)).rows).toEqual([
      { step: 10, confirmed_by: 'typed' },
      { step: 12, confirmed_by: 'typed' },
      { step: 13, confirmed_by: 'typed' },
    ]);
    await db.end();
  });

  it('a batch step not confirmed does not run; --yes confirms it', async () => {
    const { db, url } = await seeded();
    expect((await runInProcess(DIR, url, { to: 9 })).exitCode).toBe(0);
    const { ui } = answering(false);
    const refused = await runInProcess(DIR, url, { yes: false, only: 10 }, ui);
    expect(refused.steps).toMatchObject([{ step: 10, status: 'stopped', message: 'step 10 was not confirmed' }]);
    const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM customer_attributes WHERE identifiers IS NULL')).rows[0]?.n);
    expect(await count()).toBe(0);
    const unattended = await runInProcess(DIR, url, { yes: false, only: 10 }, silentUi);
    expect(unattended.steps[0]?.message).toMatch(/^step 10 changes data and there is no terminal to confirm it: run in a terminal, or pass --yes/);
    expect((await runInProcess(DIR, url, { yes: true, only: 10 })).exitCode).toBe(0);
    expect(await count()).toBeGreaterThan(0);
    await db.end();
  });

  it("a step's time does not count the time spent at its question", async () => {
    const { db, url } = await seeded();
    const { ui } = answering(true, 1500);
    const report = await runInProcess(DIR, url, { yes: false, only: 2 }, ui);
    expect(report.steps[0]).toMatchObject({ step: 2, status: 'done' });
    expect(report.steps[0]?.ms).toBeLessThan(1000);
    await db.end();
  });

  it('Ctrl-C at a question stops the run: the step interrupted, exit 130, nothing changed', async () => {
    const { db, url } = await seeded();
    const input = Object.assign(new PassThrough(), { isTTY: true });
    let err = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((err += chunk.toString()), done()) });
    const controller = new AbortController();
    const ui = terminalUi(false, () => 16, { input, out: sink, err: Object.assign(sink, { isTTY: false }), interrupt: () => controller.abort('Ctrl-C') });
    const run = runInProcessWith(DIR, url, { yes: false, only: 2, confirm: [] }, ui, openSession, controller.signal);
    while (!err.includes('[y/N]')) await sleep(20);
    input.write('\x03');
    const report = await run;
    expect(report.exitCode).toBe(130);
    expect(report.steps[0]).toMatchObject({ step: 2, status: 'interrupted' });
    expect((await db.query("SELECT to_regclass('external_data.rs_example_multi_entities') IS NULL AS absent")).rows).toEqual([{ absent: true }]);
    await db.end();
  });
});

/** util-linux `script`: the real CLI on a pseudo-terminal, its keys typed by the test. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs `restitch args` on a pseudo-terminal; `keys` answers each question (its text, then what to type) as it appears. */
function onTerminal(args: string[], keys: [string, string][]): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let next = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const key = keys[next];
    if (key && out.split(key[0]).length - 1 > keys.slice(0, next).filter((k) => k[0] === key[0]).length) {
      next += 1;
      child.stdin.write(key[1]);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('the real CLI on a terminal', () => {
  it.skipIf(!hasScript)("a typo at 'done' asks again; Ctrl-C at a question exits 130 with the step interrupted", async () => {
    const { db, url } = await seeded();
    const r = await onTerminal(['run', DIR, '--db', url, '--to', '2'], [
      ["Type 'done' once step 1 is done", 'dnoe\r'],
      ["type 'done' (or 'no' to stop here)", 'done\r'],
      ['[y/N]', '\x03'],
    ]);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toContain('stopped by Ctrl-C');
    expect(r.out).toMatch(/2\/16 change interrupted/);
    expect((await db.query(`SELECT step, status, confirmed_by FROM ${JOURNAL} ORDER BY step`)).rows).toEqual([{ step: 1, status: 'done', confirmed_by: 'typed' }]);
    await db.end();
  });
});

describe('how run and status end', () => {
  it('--to N ends with the step it stopped after and the next one', async () => {
    const { db, url } = await seeded();
    const r = runCli(['run', DIR, '--db', url, '--yes', ...confirmManual(DIR), '--to', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('stopped after step 3 as asked; next: step 4 (Load the chosen entity ids into the working table)');
    await db.end();
  });

  it('status exits as its help says: 1 when the runbook does not match its manifest', async () => {
    const { db, url } = await seeded();
    const dir = join(work, 'tampered');
    cpSync(DIR, dir, { recursive: true });
    expect(runCli(['status', dir, '--db', url]).code).toBe(0);
    appendFileSync(join(dir, '10-reset-entities.sql'), '\n-- edited\n');
    const r = runCli(['status', dir, '--db', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: .*10-reset-entities\.sql.*Regenerate the runbook/m);
    expect(runCli(['status', '--help']).stdout).toMatch(/Exit codes: 0 shown, 1 the runbook does not match its manifest/);
    await db.end();
  });
});
