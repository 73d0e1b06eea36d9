/**
 * The command line. Only this module calls process.exit. Each command's module is imported
 * when that command runs, so `restitch scenarios` does not load Handlebars or sql-formatter.
 * Exit codes: 0 ok, 1 a check failed (or a step failed or was refused), 2 bad usage or bad
 * input, 130 stopped by Ctrl-C.
 */
import { Command, CommanderError, Option } from 'commander';
import { RestitchError } from '../core/errors.js';
import { toolVersion } from '../io/packageInfo.js';
import { errorOutput } from './errorOutput.js';
import { missingGrant, sqlState } from '../runner/connection/missingGrant.js';
import { helpAfter } from './help.js';
import { isConnectionError } from '../runner/connection/transient.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('restitch')
    .description('Render profile-stitching reset runbooks as numbered, verified SQL steps')
    .version(toolVersion())
    // Commander's own errors (an unknown option, a missing argument) as the project's one line.
    .configureOutput({ outputError: (text, write) => write(`restitch: ${printable(text.trim().replace(/^error: /, ''))} (run with --help for usage)\n`) })
    .exitOverride();

  program
    .command('scenarios')
    .addHelpText('after', () => helpAfter('scenarios'))
    .description('list every supported scenario x dialect pair with its purpose')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { listScenarios, scenariosText } = await import('./commands/scenarios.js');
      const rows = listScenarios();
      await write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : scenariosText(rows));
    });

  program
    .command('generate')
    .addHelpText('after', () => helpAfter('generate'))
    .description('render a runbook into generated/<incident>/ (or --out DIR)')
    .argument('<scenario>', 'full-reset, entity-oneshot, multi-entity, recalc-only, legacy-steps, orphan-recovery')
    .addOption(new Option('--dialect <name>', 'cockroachdb or postgres'))
    .option('--incident <slug>', 'incident slug: names the directory and prefixes the working tables')
    .option('--entity <id>', 'an entity id (repeatable)', collect)
    .option('--entities-file <path>', 'a file with one entity id a line')
    .option('--where <sql>', 'condition on customer_events that chooses entities: an entity with a matching event is reset whole')
    .option('--event-time-from <iso>', 'choose entities with an event at or after this time (reset whole); without an offset it is UTC')
    .option('--event-time-to <iso>', 'choose entities with an event before this time (reset whole); without an offset it is UTC')
    .option('--batch-size <n>', 'rows per batch (default: 2000 on CockroachDB, 10000 on PostgreSQL)')
    .option('--priority <level>', 'batch transaction priority: normal (default) or high (CockroachDB)')
    .option('--max-events <n>', 'entity-oneshot guard: the entity must have fewer events (default 1000)')
    .option('--work-schema <name>', 'schema for working, backup and progress tables')
    .option('--delete-where <sql>', 'legacy-steps Step 0: delete the events of the chosen entities that match this condition')
    .addOption(new Option('--delete-events').hideHelp())
    .option('--reuse-backups', 'go on with the backups another version of this runbook (same --incident) took, instead of refusing them')
    .option('--out <dir>', 'output directory instead of generated/<incident>')
    .option('--force', 'replace an existing output directory')
    .option('--json', 'print what was written as JSON')
    .action(async (scenario: string, opts: Record<string, unknown>) => {
      const { generate, generateSummary } = await import('./commands/generate.js');
      const result = await generate(scenario, opts);
      await write(generateSummary(result, opts.json === true));
    });

  program
    .command('check')
    .addHelpText('after', () => helpAfter('check'))
    .description('re-render runbooks from their manifests and compare byte for byte (default: all under generated/)')
    .argument('[dirs...]', 'runbook directories')
    .option('--format <format>', 'text (default), github (GitHub Actions annotations) or json')
    .option('--json', 'print one JSON object (same as --format json)')
    .action(async (dirs: string[], opts: { format?: string; json?: boolean }) => {
      const { outputFormat } = await import('./outputFormat.js');
      const format = outputFormat(opts);
      const { checkRunbooks, checkOutput } = await import('./commands/check.js');
      const results = await checkRunbooks(dirs);
      await write(checkOutput(results, format));
      if (results.some((r) => r.drift.length > 0)) setExit(1);
    });

  program
    .command('diff')
    .addHelpText('after', () => helpAfter('diff'))
    .description('unified diff between two runbooks, step by step (exit 1 when they differ)')
    .argument('<dirA>')
    .argument('<dirB>')
    .option('--json', 'print one JSON object')
    .action(async (a: string, b: string, opts: { json?: boolean }) => {
      const { diffRunbooks, diffOutput } = await import('./commands/diffCmd.js');
      const drift = diffRunbooks(a, b);
      await write(diffOutput(drift, opts.json === true));
      if (drift.length > 0) setExit(1);
    });

  program
    .command('bundle')
    .addHelpText('after', () => helpAfter('bundle'))
    .description('print the whole runbook as one SQL script for a console')
    .argument('<dir>')
    .option('--undo', 'bundle the undo steps instead')
    .action(async (dir: string, opts: { undo?: boolean }) => {
      const { bundle } = await import('./commands/bundleCmd.js');
      await write(bundle(dir, opts.undo === true));
    });

  program
    .command('run')
    .addHelpText('after', () => helpAfter('run'))
    .description('run a runbook against the database, one step at a time, resumable (journal in its working schema)')
    .argument('<dir>', 'runbook directory (DIR/undo, or --undo, for its undo runbook)')
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--yes', 'confirm change steps without asking (not steps done by hand)')
    .option('--confirm <steps>', 'confirm these steps (e.g. 1,14): the way to confirm steps done by hand without a terminal')
    .option('--dry-run', 'change nothing: run the checks read-only and say what each change would touch')
    .option('--sql', 'with --dry-run: print every statement as it would run, as one SQL script (the report in comments)')
    .option('--from <n>', 'start at step n, whatever the journal says')
    .option('--only <n>', 'run step n only')
    .option('--to <n>', 'stop after step n')
    .option('--batch-size <n>', "rows per batch instead of the runbook's, kept fixed unless --batch-target is given")
    .option('--batch-target <duration>', 'target time of one batch, e.g. 250ms or 1s; the batch size adapts to it (default 250ms; 0 keeps it fixed)')
    .option('--batch-min <n>', 'smallest adaptive batch size (default a tenth of the starting size)')
    .option('--batch-max <n>', "largest adaptive batch size (default 10 times the starting size on PostgreSQL, the starting size on CockroachDB)")
    .option('--parallel <n>', 'sessions that walk the event reset (or restore) side by side, each in its own key ranges (default: 2 on PostgreSQL where the server allows a statement parallel workers and has connections free, else 1)')
    .option('--undo', 'run the undo runbook')
    .option('--wait-interval <seconds>', "seconds between tries of wait steps instead of each step's own")
    .option('--wait-hold <seconds>', "seconds a holding wait (undo's entities-restored) must stay ok instead of its own clean-up period; only on a sandbox whose clean-up routine is faster")
    .option('--statement-timeout <duration>', 'statement_timeout for every step, e.g. 2h (default: per step kind)')
    .option('--lock-timeout <duration>', 'lock_timeout for every step, e.g. 1m (default: per step kind)')
    .option('--retries <n>', 'reconnect-and-retry attempts per step on transient errors (default 5)')
    .option('--lease-timeout <duration>', "how long this run's heartbeat may stop before another run may take over its lease (default 2m)")
    .option('--throttle-query <sql>', 'read-only SELECT returning one number, read before every batch: batches wait while it is above --throttle-max')
    .option('--throttle-command <cmd>', 'shell command printing one number (limited by --throttle-max), or exiting non-zero to mean wait')
    .option('--throttle-max <n>', 'the highest throttle reading at which batches still run')
    .option('--throttle-interval <duration>', 'how often a pause reads again, e.g. 500ms or 5s (default 2s)')
    .option('--pause-file <path>', 'batches and steps wait while this file exists')
    .option('--stop-file <path>', 'stop cleanly at the next batch boundary once this file exists (the lease is released; run again to resume)')
    .option('--max-pause <duration>', 'end the run (exit 1) when one pause lasts longer than this, e.g. 30m')
    .option('--max-scan-rows <n>', 'refuse a step whose plan reads a whole platform table estimated larger than this, unless its scenario declares it (default 100000)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { runWithSignals } = await import('./commands/run.js');
      const { report, text } = await runWithSignals(dir, opts);
      await write(text);
      setExit(report.exitCode);
    });

  program
    .command('status')
    .addHelpText('after', () => helpAfter('status'))
    .description('what ran, when, rows affected, and where a runbook stopped (from its journal)')
    .argument('<dir>', 'runbook directory')
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--undo', 'the undo runbook')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { status } = await import('./commands/statusCmd.js');
      await write((await status(dir, opts)).text);
    });

  program
    .command('release-lease')
    .addHelpText('after', () => helpAfter('release-lease'))
    .description("release the lease of a run that is gone (another host, a container): shows the holder, asks, records it in the journal's history")
    .argument('<dir>', 'runbook directory')
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--yes', 'release without asking')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { releaseLeaseCommand } = await import('./commands/releaseLeaseCmd.js');
      if ((await releaseLeaseCommand(dir, opts)).interrupted) setExit(130);
    });

  program
    .command('release-incident')
    .addHelpText('after', () => helpAfter('release-incident'))
    .description("close an abandoned incident in the registry of the runbook's work schema, so another may change the database: shows it, asks, records it in the journal's history")
    .argument('<dir>', 'runbook directory (its work schema and dialect)')
    .option('--incident <slug>', "the incident to close (default: the runbook's own)")
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--yes', 'release without asking')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { releaseIncidentCommand } = await import('./commands/releaseIncidentCmd.js');
      if ((await releaseIncidentCommand(dir, opts)).interrupted) setExit(130);
    });

  program
    .command('report')
    .addHelpText('after', () => helpAfter('report'))
    .description('write the incident record of a runbook (DIR/RUN-REPORT.md) and its timeline (SVG) from its journal, for check-in beside it')
    .argument('<dir>', 'runbook directory')
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--out <file>', 'the markdown file (default DIR/RUN-REPORT.md); the SVG is written beside it')
    .option('--json', 'print the record as JSON instead of writing files')
    .action(async (dir: string, opts: { db?: string; out?: string; json?: boolean }) => {
      const { report } = await import('./commands/report.js');
      await write(await report(dir, opts));
    });

  program
    .command('lint')
    .addHelpText('after', () => helpAfter('lint'))
    .description('check SQL files for CockroachDB and PostgreSQL pitfalls (exit 1 with file:line: rule: reason)')
    .argument('<files...>', 'SQL files (a directory stands for its .sql files)')
    .addOption(new Option('--dialect <name>', 'cockroachdb or postgres (default: the manifest of the runbook the file is in)'))
    .option('--format <format>', 'text (default), github (GitHub Actions annotations) or json')
    .option('--json', 'print one JSON object (same as --format json)')
    .action(async (files: string[], opts: { dialect?: string; format?: string; json?: boolean }) => {
      const { outputFormat } = await import('./outputFormat.js');
      const format = outputFormat(opts);
      const { lintFiles, lintOutput } = await import('./commands/lint.js');
      const findings = await lintFiles(files, opts.dialect);
      await write(lintOutput(findings, format));
      if (findings.length > 0) setExit(1);
    });

  program
    .command('diagnose')
    .addHelpText('after', () => helpAfter('diagnose'))
    .description('find wrongly stitched customers, read-only (exit 1 when something is found); --out writes an entities file for generate')
    .option('--db <url>', 'postgresql:// URL (default: DATABASE_URL, else the PG* variables)')
    .option('--schema <name>', 'current (customer_attributes / customer_events) or legacy (cdp_ce / cdp_ps / cdp_attr, PostgreSQL)', 'current')
    .option('--junk <value>', 'one more junk identifier value (repeatable)', collect)
    .option('--normalise <list>', 'which values count as one identifier: case,number,number-token,phone,email (default all), or none')
    .option('--min-events <n>', 'an entity with at least this many events is giant (default 10000)')
    .option('--max-identifiers <n>', 'an entity with more identifiers than this is giant (default 1000)')
    .option('--max-entities-per-value <n>', 'an identifier value held by at least this many entities is a finding (default 5)')
    .option('--sample <n>', 'how many entities of each kind (most identifiers, most sampled events) get their events counted (default 100)')
    .option('--sample-events <n>', 'events read for the key-order sample, in 50 primary-key ranges (default 20000)')
    .option('--payload-field <name>', 'legacy schema: the payload field the PS rule reads the identifier from (default ps_identifier)')
    .option('--statement-timeout-seconds <n>', 'statement timeout of every read (default 60)')
    .option('--max-seconds <n>', 'stop after this many seconds (checked between stages) with what was found so far')
    .option('--incident <slug>', 'incident slug for the suggested generate command')
    .option('--out <file>', 'write the entities to reset, one id a line, for generate --entities-file')
    .option('--force', 'replace an existing --out file')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => {
      const { diagnoseCommand } = await import('./commands/diagnose.js');
      const { text, exitCode } = await diagnoseCommand(opts);
      await write(text);
      setExit(exitCode);
    });

  program
    .command('rehearse')
    .addHelpText('after', () => helpAfter('rehearse'))
    .description('try the fixed PS rule on a read-only copy of the chosen entities in an embedded PostgreSQL: before/after (exit 1 when an entity stays giant or an event is lost)')
    .option('--db <url>', 'postgresql:// URL of the source, read only (default: DATABASE_URL, else the PG* variables)')
    .option('--entities-file <path>', 'a file with one entity id a line (e.g. from diagnose --out)')
    .option('--entity <id>', 'an entity id (repeatable)', collect)
    .option('--junk <value>', 'one more identifier value the rule ignores (repeatable)', collect)
    .option('--normalise <list>', 'which values the rule takes as one identifier: case,number,number-token,phone,email (default all), or none')
    .option('--schema <name>', 'current (customer_attributes / customer_events) or legacy (cdp_ce / cdp_ps, PostgreSQL)', 'current')
    .option('--max-events <n>', 'refuse to copy more events than this (default 100000)')
    .option('--min-events <n>', 'an entity with at least this many events after the rule is still giant (default 10000)')
    .option('--max-identifiers <n>', 'an entity with more identifiers than this after the rule is still giant (default 1000)')
    .option('--statement-timeout-seconds <n>', 'statement timeout of every read of the source (default 60)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => {
      const { rehearseCommand } = await import('./commands/rehearse.js');
      const { text, exitCode } = await rehearseCommand(opts);
      await write(text);
      setExit(exitCode);
    });

  program
    .command('demo')
    .addHelpText('after', () => helpAfter('demo'))
    .description('generate a multi-entity runbook and run it end to end on an embedded PostgreSQL, the platform simulated beside it')
    .option('--out <dir>', 'where to write the demo runbook', '.tmp/demo-runbook')
    .action(async (opts: { out: string }) => {
      const { demo } = await import('./commands/demo.js');
      setExit(await demo(opts.out, (line) => process.stdout.write(`${line}\n`)));
    });

  return program;
}

/** Node's file-system errors carry a code such as ENOENT, EACCES, EPERM, EEXIST or ENOTDIR and a syscall. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string';
}

/**
 * A message as one safe line: control characters (which could move the cursor or rewrite the
 * terminal) shown escaped, and a very long message shortened in the middle.
 */
export function printable(message: string, max = 600): string {
  const escaped = message.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  if (escaped.length <= max) return escaped;
  const half = Math.floor((max - 20) / 2);
  return `${escaped.slice(0, half)} …(${escaped.length - 2 * half} chars)… ${escaped.slice(-half)}`;
}

/**
 * What an error thrown out of a command comes to: its one line (without the `restitch: `
 * prefix) and its exit code. Also what `--json` prints for it.
 */
export function failureOf(error: unknown): { message: string; exitCode: number } {
  if (error instanceof RestitchError) return { message: printable(error.message), exitCode: error.exitCode };
  if (isConnectionError(error)) {
    // A connection lost outside a step (a step retries and reports it itself): not bad usage.
    return { message: `lost the connection to the database (${printable((error as Error).message)}); run the same command again once the database is back`, exitCode: 1 };
  }
  // A path that cannot be read or written is bad input, not a defect: one line, exit 2.
  if (isFileSystemError(error)) return { message: printable(error.message), exitCode: 2 };
  if (sqlState(error) !== null) {
    // The server refused a statement outside any step (a missing grant, most often): one line, exit 1.
    const grant = missingGrant(error);
    return { message: printable(`${(error as Error).message} (SQLSTATE ${sqlState(error)})${grant ? `; ${grant}` : ''}`), exitCode: 1 };
  }
  return { message: `unexpected error: ${(error as Error).stack ?? String(error)}`, exitCode: 1 };
}

/** Runs the CLI and exits the process with the contract's exit code. */
export async function main(argv: string[]): Promise<void> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  let message = '';
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exitCode 0; every other commander error is a usage error.
      code = error.exitCode === 0 ? 0 : 2;
      if (code !== 0) message = error.message.replace(/^error: /, '');
    } else {
      const failure = failureOf(error);
      message = failure.message;
      process.stderr.write(`restitch: ${failure.message}\n`);
      code = failure.exitCode;
    }
  }
  // --json and --format github apply to errors too: the same error on stdout, in that format.
  if (message !== '') await write(errorOutput(argv.slice(2), message, code));
  process.exit(code);
}
