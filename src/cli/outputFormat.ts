/**
 * How `check`, `lint` and `diff` print their result: `text` for people, `github` for GitHub
 * Actions annotations on a pull request, `json` (also `--json`) for scripts. The exit code does
 * not depend on the format.
 */
import { inputError } from '../core/errors.js';

/** An output format. */
export type OutputFormat = 'text' | 'github' | 'json';

const FORMATS: readonly OutputFormat[] = ['text', 'github', 'json'];

/** The format the options ask for; `--json` with another `--format` is a usage error. */
export function outputFormat(opts: { format?: string; json?: boolean }): OutputFormat {
  const format = opts.format ?? (opts.json ? 'json' : 'text');
  if (!FORMATS.includes(format as OutputFormat)) throw inputError(`--format ${format}: choose one of ${FORMATS.join(', ')}`);
  if (opts.json && format !== 'json') throw inputError(`--json and --format ${format} ask for two formats: choose one`);
  return format as OutputFormat;
}

/** One JSON object on a line of its own. */
export const jsonLine = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
