/**
 * The command that resumes a run: the command as it was typed (`restitch` and its arguments),
 * with the password taken out of `--db` and the options that would not resume dropped (`--from`
 * starts over at a step; `--dry-run`, `--json` and `--sql` change what is printed). The password
 * is never printed: the command then reads it from PGPASSWORD or ~/.pgpass, as psql does.
 */

/** Options of `run` that take a value (as commander reads them: `--opt value` or `--opt=value`). */
const WITH_VALUE = new Set([
  '--db', '--confirm', '--from', '--only', '--to', '--batch-size', '--batch-target', '--batch-min', '--batch-max', '--parallel',
  '--wait-interval', '--statement-timeout', '--lock-timeout', '--retries', '--lease-timeout',
]);
const DROPPED = new Set(['--from', '--dry-run', '--sql', '--json']);

/** `url` without its password (and unchanged when it is not a URL). */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** One argument as the shell reads it back: quoted when it holds anything but plain characters. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** `restitch <args>` to run again; `args` are the arguments after the program (process.argv.slice(2)). */
export function resumeCommand(args: readonly string[], drop: readonly string[] = []): string {
  const out: string[] = [];
  const dropped = new Set([...DROPPED, ...drop]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = name !== arg ? arg.slice(eq + 1) : undefined;
    const value = inline ?? (WITH_VALUE.has(name) ? args[++i] : undefined);
    if (dropped.has(name)) continue;
    if (value === undefined) out.push(arg);
    else out.push(name, name === '--db' ? withoutPassword(value) : value);
  }
  return ['restitch', ...out].map(shellWord).join(' ');
}
