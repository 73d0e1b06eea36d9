/**
 * What `--help` shows after each command's options: real examples, the exit codes, and for
 * generate which options each scenario takes, read from the scenario definitions.
 */
import { OPTION_FLAGS } from '../core/inputs.js';
import { SCENARIOS } from '../core/scenarios/index.js';

const E1 = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11';
const E2 = '9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33';

const EXIT_CODES = {
  generate: '0 written, 2 bad usage or input (nothing written)',
  check: '0 every runbook matches its manifest, 1 drift (the files are named), 2 bad usage',
  diff: '0 the runbooks are the same, 1 they differ, 2 bad usage',
  bundle: '0 printed, 1 the runbook does not match its manifest, 2 bad usage',
  run: '0 finished (or stopped where asked), 1 a step or check failed or was refused, or the server cannot be reached, 2 bad usage, 130 Ctrl-C (or SIGTERM, SIGHUP)',
  status: '0 shown, 1 the runbook does not match its manifest, the server is of another dialect or cannot be reached, 2 bad usage (a wrong URL, database or user); with --json errors come as JSON on stdout too',
  'release-lease': '0 released (or no run held the lease), 1 not confirmed or refused (the lease kept), 2 bad usage, 130 Ctrl-C at the question',
  'release-incident': '0 released (or the incident was not open), 1 not confirmed or refused (a run of it is live; the incident kept open), 2 bad usage, 130 Ctrl-C at the question',
  demo: '0 the demo runbook finished, 1 it stopped at a failed step, 2 the sandbox server cannot start here',
  scenarios: '0 listed, 2 bad usage',
  lint: '0 no finding, 1 findings (one file:line: rule: reason line each; a file that does not parse is a finding), 2 bad usage',
  report: '0 written, 1 the server is not of the runbook\'s dialect, 2 bad usage or the runbook cannot be read',
  diagnose: '0 nothing calls for a reset (INFO lines alone), 1 findings call for a reset (or --max-seconds stopped it, or the connection or a read failed), 2 bad usage',
  rehearse: '0 the rule passed on the copy, 1 an entity stays giant, an event is lost, the runbook failed on the copy, more events than --max-events, or the source cannot be read; 2 bad usage',
} as const;

const EXAMPLES: Record<keyof typeof EXIT_CODES, string[]> = {
  generate: [
    'restitch generate full-reset --dialect cockroachdb --incident 2026-11-none-identifier',
    `restitch generate multi-entity --dialect postgres --incident inc-42 --entity ${E1} --entity ${E2} --batch-size 5000`,
    `restitch generate legacy-steps --dialect postgres --incident inc-43 --where "customer_events.payload->>'ps_identifier' = 'None'"`,
  ],
  check: ['restitch check', 'restitch check generated/inc-42 generated/inc-43', 'restitch check --format github   # GitHub Actions annotations (docs/review.md)'],
  diff: ['restitch diff generated/inc-42 generated/inc-42-v2', 'restitch diff --json generated/inc-42 generated/inc-42-v2'],
  bundle: ['restitch bundle generated/inc-42 > inc-42.sql    # psql -v ON_ERROR_STOP=1 -f inc-42.sql', 'restitch bundle generated/inc-42 --undo > inc-42-undo.sql'],
  run: [
    'restitch run generated/inc-42 --db "postgresql://me@db:5432/cdp" --dry-run',
    'restitch run generated/inc-42 --db "postgresql://me@db:5432/cdp"',
    'restitch run generated/inc-42 --undo --from 3',
    'restitch run generated/inc-42 --throttle-query "SELECT count(*) FROM cdp_ps.customer_events_to_process" --throttle-max 20000 --stop-file /tmp/inc-42.stop --max-pause 30m',
  ],
  report: ['restitch report generated/inc-42 --db "postgresql://me@db:5432/cdp"    # generated/inc-42/RUN-REPORT.md and its timeline SVG'],
  status: ['restitch status generated/inc-42 --db "postgresql://me@db:5432/cdp"'],
  'release-lease': ['restitch release-lease generated/inc-42 --db "postgresql://me@db:5432/cdp"', 'restitch release-lease generated/inc-42 --db "postgresql://me@db:5432/cdp" --yes'],
  'release-incident': ['restitch release-incident generated/inc-43 --incident inc-42 --db "postgresql://me@db:5432/cdp"    # close abandoned inc-42 so inc-43 may run'],
  demo: ['restitch demo', 'restitch demo --out /tmp/demo-runbook'],
  scenarios: ['restitch scenarios', 'restitch scenarios --json'],
  lint: ['restitch lint generated/inc-42                  # every .sql of a runbook, the dialect from its manifest', 'restitch lint --dialect cockroachdb fix.sql', 'restitch lint --format github generated/   # GitHub Actions annotations (docs/review.md)'],
  diagnose: [
    'restitch diagnose --db "postgresql://me@db:5432/cdp" --incident inc-42 --out inc-42-entities.txt',
    'restitch diagnose --schema legacy --db "postgresql://me@db:5432/cdp" --json',
    'restitch diagnose --min-events 5000 --junk n/a --max-entities-per-value 3 --max-seconds 600',
    'restitch diagnose --normalise number,phone,email     # which values count as one identifier (docs/diagnose-normalise.md)',
  ],
  rehearse: [
    'restitch rehearse --db "postgresql://me@db:5432/cdp" --entities-file inc-42-entities.txt',
    `restitch rehearse --db "postgresql://me@db:5432/cdp" --entity ${E1} --junk n/a --normalise number,phone --json`,
    'restitch rehearse --schema legacy --db "postgresql://me@db:5432/cdp" --entities-file legacy-entities.txt --max-events 50000',
  ],
};

/** Which options each scenario takes, from the scenario definitions. */
export function scenarioOptionsText(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => {
    const takes = s.options.map((o) => OPTION_FLAGS[o]).join(', ') || 'no scenario option';
    return `  ${s.name.padEnd(width)}  ${s.dialects.join('/')}: ${takes}`;
  }).join('\n');
}

/** Every command with help text. */
export type HelpCommand = keyof typeof EXIT_CODES;

/** The examples shown for `command` (tests run the generate ones). */
export const examplesOf = (command: HelpCommand): readonly string[] => EXAMPLES[command];

/** The text after a command's option list. */
export function helpAfter(command: HelpCommand): string {
  const parts = [`\nExamples:\n${EXAMPLES[command].map((e) => `  ${e}`).join('\n')}`];
  if (command === 'generate') parts.push(`\nOptions each scenario takes (besides --dialect, --incident, --work-schema, --out, --force, --json):\n${scenarioOptionsText()}`);
  parts.push(`\nExit codes: ${EXIT_CODES[command]}\n`);
  return parts.join('\n');
}
