import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalUi } from '../../src/cli/terminalUi.js';
import { loadSteps } from '../../src/core/steps.js';
import { formatBanner } from '../../src/runner/banner.js';
import { DIALECTS, sessionVisibilityQuery } from '../../src/core/dialects/index.js';
import { changePrompt } from '../../src/runner/prompt/prompt.js';
import { composeBatch } from '../../src/runner/batch/batchStep.js';
import { LeaseTable } from '../../src/runner/lease/lease.js';
import { StepScript, terminated } from '../../src/runner/stepScript.js';
import { examples } from '../helpers/examples.js';

const multi = examples().find((e) => e.name === 'multi-entity-postgres')!;
const steps = loadSteps(multi.manifest, multi.files, false);
const backup = steps.find((s) => s.slug === 'backup-entities')!;

/** A non-terminal stream that keeps what is written. */
function sink(): Writable & { text: string } {
  const s = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((s.text += chunk.toString()), done()) }), { text: '' });
  return s;
}

describe('the change prompt', () => {
  it('shows the statement that will run and the dry-run estimate', () => {
    const text = changePrompt(backup, backup.body, 'generated/x/06-backup-entities.sql', '~3000 rows (planner estimate)');
    expect(text).toMatch(/^step 6\/16 \(change\) will run, in one transaction \(generated\/x\/06-backup-entities\.sql\):\n/);
    for (const line of backup.body.trim().split('\n')) expect(text).toContain(`    ${line}`);
    expect(text.split('\n').at(-1)).toBe('  estimate: ~3000 rows (planner estimate)');
  });

  it('shortens a huge statement to its head and tail and points at the file; long lines and control characters too', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `  ('id-${i}'),`);
    const body = ['INSERT INTO t (id)', 'VALUES', ...ids, "  ('last')", 'ON CONFLICT (id) DO NOTHING;'].join('\n');
    const text = changePrompt(backup, body, 'dir/04-load-entities.sql', '~100001 rows (planner estimate)');
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(30);
    expect(text).toContain('    INSERT INTO t (id)');
    expect(text).toContain('    ON CONFLICT (id) DO NOTHING;');
    expect(text).toContain('… 99979 more lines; the whole statement is in dir/04-load-entities.sql');
    expect(text).not.toContain("('id-50000')");
    const wide = changePrompt(backup, `SELECT '${'x'.repeat(5000)}\u001b[2J';`, 'dir/f.sql', 'none');
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeLessThanOrEqual(204);
    expect(wide).toContain('(long lines shortened; the whole statement is in dir/f.sql)');
    expect(changePrompt(backup, "SELECT '\u001b[2J';", 'f', 'none')).toContain("SELECT '\\x1b[2J';");
  });
});

describe('the banner', () => {
  it('says server, version, database, user and which runbook, with control characters escaped', () => {
    const text = formatBanner({ address: 'db.internal:26257', version: 'CockroachDB CCL v24.1.0 (x86_64)', database: 'cdp', user: 'ops\u0007', incident: 'inc-42', scenario: 'multi-entity', dialect: 'cockroachdb', undo: true, dryRun: false });
    expect(text).toBe(['restitch run: about to run against', '  server:   db.internal:26257 (CockroachDB CCL v24.1.0 (x86_64))', '  database: cdp, as user ops\\x07', '  runbook:  incident inc-42, scenario multi-entity, dialect cockroachdb, undo'].join('\n'));
  });
});

describe('a step that runs for a while, without a terminal', () => {
  afterEach(() => vi.useRealTimers());

  it('writes a line every 30 s with the elapsed time and the latest answer, and stops when the step ends', () => {
    vi.useFakeTimers();
    const err = sink();
    const ui = terminalUi(false, () => 16, { out: sink(), err, quietEveryMs: 30_000 });
    const a = ui.activity('step 12: waiting', 'first check running');
    vi.advanceTimersByTime(29_000);
    expect(err.text).toBe('');
    a.update('not yet: 2 entities left (try 3)');
    vi.advanceTimersByTime(1_000);
    expect(err.text).toBe('step 12: waiting: 30.0 s elapsed; latest: not yet: 2 entities left (try 3)\n');
    vi.advanceTimersByTime(30_000);
    expect(err.text.split('\n')[1]).toBe('step 12: waiting: 60.0 s elapsed; latest: not yet: 2 entities left (try 3)');
    a.stop();
    vi.advanceTimersByTime(120_000);
    expect(err.text.split('\n')).toHaveLength(3);
  });

  it('adds the elapsed time to the batch progress lines', () => {
    vi.useFakeTimers();
    const err = sink();
    const p = terminalUi(false, () => 16, { out: sink(), err, quietEveryMs: 30_000 }).progress('step 13', 1000, 0);
    vi.advanceTimersByTime(31_000);
    p.update(500);
    expect(err.text).toMatch(/^step 13: 500\/1000 rows, 16 rows\/s ETA 31 s, 31\.0 s elapsed\n$/);
  });
});

describe('the script of run --dry-run --sql', () => {
  const crdb = examples().find((e) => e.name === 'multi-entity-cockroachdb')!;
  const crdbSteps = loadSteps(crdb.manifest, crdb.files, false);

  it('ends every statement, also after a trailing comment', () => {
    expect(terminated('SELECT 1')).toBe('SELECT 1;');
    expect(terminated('SELECT 1;\n-- done\n')).toBe('SELECT 1;\n-- done');
    expect(terminated('SELECT 1\n-- no semicolon above')).toBe('SELECT 1\n-- no semicolon above\n;');
  });

  it('a CockroachDB batch: its settings once, the CPS check, progress, then per batch the floor query, BEGIN (priority), the bound statement with its journal update, COMMIT', () => {
    const leaseLock = new LeaseTable(undefined as never, 'external_data', 'unit').lockStatement("'unit'", "'<run id>'");
    const script = new StepScript(DIALECTS.cockroachdb, {}, 'external_data.restitch_journal', leaseLock);
    const reset = crdbSteps.find((s) => s.slug === 'reset-events')!;
    const high = { ...reset, header: { ...reset.header, priority: 'high' as const } };
    const floor = 'ffffffff-0000-0000-0000-000000000000';
    const range = { after: '00000000-0000-0000-0000-000000000000', upTo: '04000000-0000-0000-0000-000000000000' };
    const journalCte = () => 'restitch_journal AS (\n  UPDATE external_data.restitch_journal SET batches = batches + 1 WHERE step = 13\n  RETURNING 1\n)';
    const first = composeBatch(reset.body, reset, { size: 500, range, floor }, journalCte);
    expect(first.oneTrip).toBe(true);
    const text = script.step(high, first.sql, true, { floor: { literal: "'0000'", value: floor }, ranges: 64, oneTrip: first.oneTrip });
    const known = [reset.header.progress, reset.header.floor, DIALECTS.cockroachdb.server.cpsSessionsQuery];
    const statements = text.split('\n').filter((l) => /^(SET|BEGIN|COMMIT)\b/.test(l) || known.includes(l.replace(/;$/, '')));
    expect(statements).toEqual([
      "SET statement_timeout = '600000ms';",
      "SET lock_timeout = '30000ms';",
      // The check that the user sees other users' sessions (its query spans lines, left out here).
      "SET default_transaction_read_only = 'on';",
      "SET default_transaction_read_only = 'off';",
      "SET default_transaction_read_only = 'on';",
      `${DIALECTS.cockroachdb.server.cpsSessionsQuery};`,
      "SET default_transaction_read_only = 'off';",
      "SET default_transaction_read_only = 'on';",
      `${reset.header.progress};`,
      "SET default_transaction_read_only = 'off';",
      `${reset.header.floor};`,
      'BEGIN TRANSACTION PRIORITY HIGH;',
      'COMMIT;',
    ]);
    // The statement as the runner sends it: floor, range end and size in their slots, the journal update added.
    expect(text).toContain(`src.id > '${floor}'::uuid -- restitch:floor`);
    expect(text).toContain(`src.id <= '${range.upTo}'::uuid -- restitch:range-end`);
    expect(text).toContain('LIMIT 500 -- restitch:batch-size');
    expect(text).toContain('),\nrestitch_journal AS (\n  UPDATE external_data.restitch_journal');
    expect(text).not.toContain(') -- restitch:journal');
    expect(text).toContain('its walk is cut into 64 key ranges');
    expect(text).toMatch(/locks its lease row before COMMIT:\n-- SELECT 1\.0 \/ count\(\*\) AS lease_held .* FOR UPDATE\) AS held;\nCOMMIT;/);
    expect(text).toContain(`${sessionVisibilityQuery(DIALECTS.cockroachdb.server.sessionVisibility!)};`);
    expect(text.indexOf('AS visible, current_user AS who')).toBeLessThan(text.indexOf(DIALECTS.cockroachdb.server.cpsSessionsQuery));
    expect(text).toContain(`its result replaces '0000' after src.<key> > (the first batch's: read now, bound below: ${floor}); $1 and $2 are the bounds of the range:`);
    // The look for CPS's work since the pause: in the first batch of a run only (cps-since-pause).
    expect(first.sql).toContain('AND 1 = 1 -- restitch:first-batch');
    const later = composeBatch(reset.body, reset, { size: 500, range, floor, first: false }, journalCte).sql;
    expect(later).toContain('AND 1 = 0 -- restitch:first-batch');
    expect(later.replace('AND 1 = 0 -- restitch:first-batch', 'AND 1 = 1 -- restitch:first-batch')).toBe(composeBatch(reset.body, reset, { size: 500, range, floor, first: true }, journalCte).sql);
    // The same kind again: the session already has its timeouts, no SET is repeated.
    expect(script.step(reset, reset.body, false, { floor: { literal: "'0000'", value: null }, ranges: null, oneTrip: false })).not.toMatch(/^SET statement_timeout/m);
  });
});
