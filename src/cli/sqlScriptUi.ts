/**
 * The terminal of `run --dry-run --sql`: stdout is one SQL script that can be saved and reviewed
 * (or pasted): each step's statements as the runner would send them, and everything else the run
 * says (the banner, each step's report line, check rows) as `--` comments around them.
 */
import { printable } from '../runner/banner.js';
import { formatStepLine } from '../runner/report.js';
import type { RunnerUi } from '../runner/ui.js';

/** `text` as SQL comment lines, control characters escaped. */
export function sqlComment(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return `${lines.map((l) => (l.trim() === '' ? '--' : `-- ${printable(l)}`)).join('\n')}\n`;
}

export function sqlScriptUi(total: () => number, out: NodeJS.WritableStream = process.stdout): RunnerUi {
  return {
    step(result) {
      out.write(`\n${sqlComment(formatStepLine(result, total()).replace(/^\s+/, 'step '))}${result.sql ?? ''}`);
    },
    say(text) {
      out.write(sqlComment(text));
    },
    confirm: async () => null,
    progress: () => ({ update() {}, stop() {} }),
    activity: () => ({ update() {}, stop() {} }),
  };
}
