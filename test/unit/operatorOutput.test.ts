/**
 * What the operator sees: questions that ask again on a typo and stop on Ctrl-C, coloured status
 * words only on a terminal without NO_COLOR, lines a progress bar does not draw over, the whole
 * resume command without the password, commander's errors as one line, pg's sslmode warning as
 * one line of ours, and `status --json` errors as JSON.
 */
import { PassThrough, Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paintFor, wantsColour } from '../../src/cli/colour.js';
import { resumeCommand } from '../../src/cli/resumeCommand.js';
import { terminalUi } from '../../src/cli/terminalUi.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { formatStepLine } from '../../src/runner/report.js';
import type { StepResult } from '../../src/runner/types.js';
import { runCli } from '../helpers/cli.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';

const sink = (isTTY = false) => {
  const s = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((s.text += chunk.toString()), done()) }), { text: '', isTTY, columns: 100 });
  return s;
};
const tty = () => Object.assign(new PassThrough(), { isTTY: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DONE: StepResult = { step: 4, file: '04.sql', title: 'Load', kind: 'change', status: 'done', rows: 2, ms: 12 };

describe('questions at the terminal', () => {
  it("a typo at the 'done' question asks again; 'done' confirms, 'no' stops", async () => {
    const input = tty();
    const err = sink();
    const ui = terminalUi(false, () => 16, { input, err, out: sink() });
    const answer = ui.confirm("Type 'done' once step 1 is done", 'done', new AbortController().signal);
    input.write('dnoe\n');
    await sleep(20);
    input.write('done\n');
    expect(await answer).toBe(true);
    expect(err.text).toContain("type 'done' (or 'no' to stop here): ");
    const stopped = ui.confirm("Type 'done' once step 1 is done", 'done', new AbortController().signal);
    input.write('no\n');
    expect(await stopped).toBe(false);
  });

  it('Ctrl-C at a question raises the interrupt (the terminal is raw: no SIGINT reaches the process)', async () => {
    const input = tty();
    const controller = new AbortController();
    let interrupted = 0;
    const ui = terminalUi(false, () => 16, { input, err: sink(), out: sink(), interrupt: () => ((interrupted += 1), controller.abort('Ctrl-C')) });
    const answer = ui.confirm('Run step 2/16 (change): Create?', null, controller.signal);
    input.write('\x03');
    expect(await answer).toBe(false);
    expect(interrupted).toBe(1);
  });
});

describe('colour', () => {
  it('only on a terminal, without NO_COLOR, and not for TERM=dumb', () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(formatStepLine(DONE, 16, paintFor({ isTTY: true }, {}))).toContain('\x1b[32mdone        \x1b[0m');
    expect(formatStepLine({ ...DONE, status: 'failed' }, 16, paintFor({ isTTY: true }, {}))).toContain('\x1b[31mfailed');
  });

  it("the run's step lines: coloured on a terminal, plain with NO_COLOR or through a pipe", () => {
    for (const [isTTY, env, coloured] of [[true, {}, true], [true, { NO_COLOR: '1' }, false], [false, {}, false]] as const) {
      const out = sink(isTTY);
      terminalUi(false, () => 16, { out, err: sink(), env }).step(DONE);
      expect(out.text.includes('\x1b['), JSON.stringify({ isTTY, env })).toBe(coloured);
    }
  });
});

describe('a line written while a progress bar runs', () => {
  it('ends the bar first: the bar never puts the cursor back above the line (cli-progress restores it on stop)', () => {
    const err = sink(true);
    const ui = terminalUi(false, () => 16, { out: sink(), err });
    const bar = ui.progress('step 13', 1000, 0);
    bar.update(100);
    ui.say('restitch: Ctrl-C: stopping: ending the running statement');
    bar.update(200);
    bar.stop();
    const after = err.text.slice(err.text.indexOf('restitch: Ctrl-C: stopping'));
    // ESC 8 restores the cursor saved (ESC 7) when a bar started: after the line, only a bar started below it may.
    const restore = after.indexOf('\x1b8');
    expect(restore === -1 || after.indexOf('\x1b7') < restore).toBe(true);
    expect(after.indexOf('\x1b7')).toBeGreaterThan(0);
  });
});

describe('the resume command', () => {
  it('is the whole command, --db without its password, --from and --json dropped, quoted for the shell', () => {
    const argv = ['run', 'generated/inc 42', '--db', 'postgresql://ops:s3cret@db:5432/cdp', '--yes', '--from', '3', '--to=14', '--json', '--lease-timeout', '5m'];
    expect(resumeCommand(argv)).toBe("restitch run 'generated/inc 42' --db postgresql://ops@db:5432/cdp --yes --to 14 --lease-timeout 5m");
    expect(resumeCommand(['run', 'd', '--db=postgresql://ops:p%40ss@db/cdp'])).toBe('restitch run d --db postgresql://ops@db/cdp');
  });
});

describe('one line for every error of the command line', () => {
  it("commander's errors: one line starting restitch:, exit 2", () => {
    for (const args of [['run'], ['frobnicate'], ['status', 'x', '--nope'], ['run', 'x', '--retries']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^restitch: [^\n]+\n$/);
    }
  });

  it("pg's sslmode SECURITY WARNING becomes one line of ours; the mode is read as the verify-full node-postgres reads it as", () => {
    const t = connectionTarget('postgresql://me@db.example/cdp?sslmode=require', {});
    expect(t.config.connectionString).toContain('sslmode=verify-full');
    expect(t.notes).toEqual([expect.stringMatching(/^sslmode=require is read as verify-full \(node-postgres verifies/) as unknown]);
    expect(connectionTarget('postgresql://me@db.example/cdp?sslmode=require&uselibpqcompat=true', {}).notes).toEqual([]);
    expect(connectionTarget('postgresql://me@db.example/cdp?sslmode=verify-full', {}).notes).toEqual([]);
    const r = runCli(['status', join(EXAMPLES_DIR, 'multi-entity-postgres'), '--db', 'postgresql://me@127.0.0.1:1/cdp?sslmode=require']);
    expect(r.stderr).not.toContain('SECURITY WARNING');
    expect(r.stderr).toMatch(/^sslmode=require is read as verify-full/m);
    // A server that cannot be reached is no usage error: exit 1, one line.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restitch: cannot connect to me@127\.0\.0\.1:1\/cdp: .*ECONNREFUSED.*; is the server up\? Run the same command again once it accepts connections\n$/m);
  });

  it('status --json: an error comes as JSON on stdout too, with the exit code of its help', () => {
    const r = runCli(['status', join(EXAMPLES_DIR, 'no-such-runbook'), '--json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as { error: { message: string; exitCode: number } };
    expect(json.error.exitCode).toBe(2);
    expect(r.stderr).toBe(`restitch: ${json.error.message}\n`);
  });
});
