/**
 * The runner's terminal: report lines on stdout, everything else on stderr, a progress bar
 * (cli-progress: maintained, handles redraw, rate and ETA) only when stderr is a terminal, and
 * questions through node:readline only when stdin is one. A step that runs for a while (a wait,
 * a long change or check) shows its elapsed time and latest answer: redrawn every second on a
 * terminal, one line every 30 s otherwise, so a log shows the run is alive and what it waits for.
 */
import cliProgress from 'cli-progress';
import { createInterface } from 'node:readline/promises';
import { formatMs, formatStepLine } from '../runner/report.js';
import type { Activity, Progress, RunnerUi } from '../runner/ui.js';
import type { StepResult } from '../runner/types.js';
import { paintFor } from './colour.js';

/** Where the terminal UI reads and writes, and how often a running step says so without a terminal. */
export interface TerminalIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where answers are read; questions are asked only when it is a terminal. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Milliseconds between the lines of a running step when stderr is not a terminal. */
  quietEveryMs: number;
  /** The environment read for NO_COLOR and TERM. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Ctrl-C typed at a question. The terminal is in raw mode while readline reads, so the key
   * reaches readline, not the process as SIGINT: this raises it (the run then stops, exit 130).
   */
  interrupt: () => void;
}

const processIo = (): TerminalIo => ({
  out: process.stdout,
  err: process.stderr,
  input: process.stdin,
  quietEveryMs: 30_000,
  env: process.env,
  interrupt: () => process.kill(process.pid, 'SIGINT'),
});

/** Answers that stop at a typed question instead of asking again. */
const REFUSALS = /^(n|no|stop|q|quit)$/i;

/** `given` replaces the process's streams (tests): the input and the Ctrl-C action default to the process's. */
export function terminalUi(json: boolean, total: () => number, given: Partial<TerminalIo> = {}): RunnerUi & { results: StepResult[] } {
  const io: TerminalIo = { ...processIo(), ...given };
  const results: StepResult[] = [];
  const { err } = io;
  const paint = paintFor(io.out, io.env);
  // The activity line or progress bar being redrawn on a terminal, cleared (a bar: ended, to be
  // drawn again below) before anything else is written, so no line is overwritten.
  let live: { clear(): void } | null = null;
  return {
    results,
    step(result) {
      results.push(result);
      live?.clear();
      if (!json) io.out.write(formatStepLine(result, total(), paint));
    },
    say(text) {
      live?.clear();
      err.write(`${text}\n`);
    },
    async confirm(question, typed, signal) {
      if (!io.input.isTTY) return null;
      live?.clear();
      const rl = createInterface({ input: io.input, output: err, terminal: true });
      rl.on('SIGINT', io.interrupt);
      try {
        if (!typed) return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `, { signal })).trim());
        // A typo asks again: only the word itself confirms, and only 'no' (or 'stop') stops.
        for (let prompt = `${question}: `; ; prompt = `type '${typed}' (or 'no' to stop here): `) {
          const answer = (await rl.question(prompt, { signal })).trim();
          if (answer.toLowerCase() === typed) return true;
          if (REFUSALS.test(answer)) return false;
        }
      } catch {
        return false;
      } finally {
        rl.close();
      }
    },
    progress(title, totalRows, done): Progress {
      if (!err.isTTY || json) return quietProgress(err, title, totalRows, done, io.quietEveryMs);
      const bar = new cliProgress.SingleBar(
        { format: `${title} [{bar}] {percentage}% {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | elapsed {duration_formatted}{note}`, stream: err, hideCursor: true, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      const startedAt = Date.now();
      const first = done;
      let drawn = false;
      let last = done;
      let note = '';
      // cli-progress puts the cursor back where its bar started when it stops (cursorSave /
      // cursorRestore), over any line written meanwhile: so a line to write ends the bar first,
      // and the next update starts it again below that line.
      const mine = {
        clear: () => {
          if (drawn) bar.stop();
          drawn = false;
        },
      };
      const draw = (d: number) => {
        const value = Math.min(d, totalRows ?? d);
        const rate = Math.round(((d - first) * 1000) / Math.max(1, Date.now() - startedAt));
        if (!drawn) bar.start(totalRows ?? 0, value, { rate, note });
        else bar.update(value, { rate, note });
        drawn = true;
        live = mine;
      };
      draw(done);
      return {
        update: (d) => {
          last = d;
          draw(d);
        },
        note: (text) => {
          note = text ? ` | ${text}` : '';
          draw(last);
        },
        stop: () => {
          if (!drawn) draw(last);
          mine.clear();
          if (live === mine) live = null;
        },
      };
    },
    activity(title, latest): Activity {
      const startedAt = Date.now();
      let answer = latest;
      const elapsed = () => formatMs(Math.round((Date.now() - startedAt) / 1000) * 1000);
      if (json) return { update() {}, stop() {} };
      if (!err.isTTY) {
        const timer = setInterval(() => err.write(`${title}: ${elapsed()} elapsed; latest: ${answer}\n`), io.quietEveryMs);
        timer.unref();
        return { update: (a) => void (answer = a), stop: () => clearInterval(timer) };
      }
      const width = () => Math.max(20, ((err as { columns?: number }).columns ?? 100) - 1);
      const clear = () => err.write('\r\x1b[2K');
      const draw = () => err.write(`\r\x1b[2K${`${title}: ${elapsed()} | ${answer}`.slice(0, width())}`);
      const timer = setInterval(draw, 1000);
      timer.unref();
      const mine = { clear };
      live = mine;
      return {
        update: (a) => {
          answer = a;
          draw();
        },
        stop: () => {
          clearInterval(timer);
          clear();
          if (live === mine) live = null;
        },
      };
    },
  };
}

/** Without a terminal: a line at most every `everyMs` as batches commit, so a log shows the run is alive. */
function quietProgress(err: NodeJS.WritableStream, title: string, total: number | null, done: number, everyMs: number): Progress {
  const startedAt = Date.now();
  let last = startedAt;
  const first = done;
  return {
    update(d) {
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      const rate = ((d - first) * 1000) / Math.max(1, now - startedAt);
      const eta = total !== null && rate > 0 ? ` ETA ${Math.round((total - d) / rate)} s` : '';
      err.write(`${title}: ${d}${total !== null ? `/${total}` : ''} rows, ${Math.round(rate)} rows/s${eta}, ${formatMs(Math.round((now - startedAt) / 1000) * 1000)} elapsed\n`);
    },
    note(text) {
      // A pause's line at most every `everyMs`, like the rows' (its start and end are said anyway).
      const now = Date.now();
      if (text === null || now - last < everyMs) return;
      last = now;
      err.write(`${title}: ${text}\n`);
    },
    stop() {},
  };
}
