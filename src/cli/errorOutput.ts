/**
 * An error as the output format asked for on the command line prints it on stdout, besides the
 * `restitch:` line on stderr: with `--json` one JSON object `{ "error": { "message", "exitCode" } }`
 * (so a script that parses stdout gets an object whatever happened), with `--format github` a
 * GitHub Actions error annotation. The exit code is the same either way.
 */
import { errorAnnotation } from './githubAnnotations.js';

/** The format the arguments ask for (options after `--` are arguments, not options). */
function askedFormat(args: readonly string[]): string | undefined {
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  let format: string | undefined;
  options.forEach((a, i) => {
    if (a === '--json') format = 'json';
    else if (a === '--format') format = options[i + 1];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
  });
  return format;
}

/** What stdout gets for an error under the format `args` ask for ('' for text). */
export function errorOutput(args: readonly string[], message: string, exitCode: number): string {
  const format = askedFormat(args);
  if (format === 'json') return `${JSON.stringify({ error: { message, exitCode } }, null, 2)}\n`;
  if (format === 'github') return errorAnnotation({ title: 'restitch' }, message);
  return '';
}
