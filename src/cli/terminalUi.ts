/**
 * The runner's terminal: report lines on stdout, everything else on stderr, a progress bar
 * (cli-progress: maintained, handles redraw, rate and ETA) only when stderr is a terminal, and
 * questions through node:readline only when stdin is one.
 */
import cliProgress from 'cli-progress';
import { createInterface } from 'node:readline/promises';
import { formatStepLine } from '../runner/report.js';
import type { Progress, RunnerUi } from '../runner/ui.js';
import type { StepResult } from '../runner/types.js';

export function terminalUi(json: boolean, total: () => number): RunnerUi & { results: StepResult[] } {
  const results: StepResult[] = [];
  const err = process.stderr;
  return {
    results,
    step(result) {
      results.push(result);
      if (!json) process.stdout.write(formatStepLine(result, total()));
    },
    say(text) {
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
      if (!err.isTTY || json) return quietProgress(title, totalRows, done);
      const bar = new cliProgress.SingleBar(
        { format: `${title} [{bar}] {percentage}% {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`, stream: err, hideCursor: true, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      const startedAt = Date.now();
      const first = done;
      bar.start(totalRows ?? 0, done, { rate: 0 });
      return {
        update: (d) => bar.update(Math.min(d, totalRows ?? d), { rate: Math.round(((d - first) * 1000) / Math.max(1, Date.now() - startedAt)) }),
        stop: () => bar.stop(),
      };
    },
  };
}

/** Without a terminal: a line every 30 s, so a log shows the run is alive. */
function quietProgress(title: string, total: number | null, done: number): Progress {
  const startedAt = Date.now();
  let last = startedAt;
  const first = done;
  return {
    update(d) {
      const now = Date.now();
      if (now - last < 30_000) return;
      last = now;
      const rate = ((d - first) * 1000) / Math.max(1, now - startedAt);
      const eta = total !== null && rate > 0 ? ` ETA ${Math.round((total - d) / rate)} s` : '';
      process.stderr.write(`${title}: ${d}${total !== null ? `/${total}` : ''} rows, ${Math.round(rate)} rows/s${eta}\n`);
    },
    stop() {},
  };
}
