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

/** Where the terminal UI writes, and how often a running step says so without a terminal. */
export interface TerminalIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds between the lines of a running step when stderr is not a terminal. */
  quietEveryMs: number;
}

const processIo = (): TerminalIo => ({ out: process.stdout, err: process.stderr, quietEveryMs: 30_000 });

export function terminalUi(json: boolean, total: () => number, io: TerminalIo = processIo()): RunnerUi & { results: StepResult[] } {
  const results: StepResult[] = [];
  const { err } = io;
  // The activity line being redrawn on a terminal, cleared before anything else is written.
  let live: { clear(): void } | null = null;
  return {
    results,
    step(result) {
      results.push(result);
      live?.clear();
      if (!json) io.out.write(formatStepLine(result, total()));
    },
    say(text) {
      live?.clear();
      err.write(`${text}\n`);
    },
    async confirm(question, typed, signal) {
      if (!process.stdin.isTTY) return null;
      const rl = createInterface({ input: process.stdin, output: err });
      try {
        const answer = await rl.question(`${question} ${typed ? '' : '[y/N] '}`, { signal });
        return typed ? answer.trim().toLowerCase() === typed : /^y(es)?$/i.test(answer.trim());
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
      bar.start(totalRows ?? 0, done, { rate: 0, note: '' });
      return {
        update: (d) => bar.update(Math.min(d, totalRows ?? d), { rate: Math.round(((d - first) * 1000) / Math.max(1, Date.now() - startedAt)) }),
        note: (text) => bar.update({ note: text ? ` | ${text}` : '' }),
        stop: () => bar.stop(),
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
