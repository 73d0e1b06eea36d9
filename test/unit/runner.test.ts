import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../src/core/manifest.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { DIALECTS, detectDialect } from '../../src/core/dialects/index.js';
import { withBatchSize } from '../../src/runner/batch/batchSize.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { checkVerdict } from '../../src/runner/executors.js';
import type { JournalRow } from '../../src/runner/journal.js';
import { loadSteps } from '../../src/core/steps.js';
import { cpsGuardedSteps, selectSteps, verifyChecksums } from '../../src/runner/plan.js';
import { formatAttempt, formatTable } from '../../src/runner/report.js';
import { stepSettings } from '../../src/runner/timeouts.js';
import { backoff, isTransient } from '../../src/runner/connection/transient.js';
import { examples } from '../helpers/examples.js';

const all = examples();
const multi = all.find((e) => e.name === 'multi-entity-postgres')!;
const steps = loadSteps(multi.manifest, multi.files, false);
const row = (step: number, status: JournalRow['status']) => ({ step, status }) as JournalRow;

describe('plan', () => {
  it('loads every example, forward and undo, with headers in manifest order', () => {
    for (const ex of all) {
      for (const undo of [false, true]) {
        const list = loadSteps(ex.manifest, ex.files, undo);
        expect(list.map((s) => s.header.number)).toEqual(list.map((_, i) => i + 1));
      }
    }
  });

  it('gives every batch step a progress query (done, total) for the progress bar and the journal', () => {
    for (const ex of all) {
      for (const s of [...loadSteps(ex.manifest, ex.files, false), ...loadSteps(ex.manifest, ex.files, true)]) {
        if (s.header.kind === 'batch') expect(s.header.progress, `${ex.name}/${s.file}`).toMatch(/^SELECT \(SELECT count\(\*\) FROM .+\) AS done, \(SELECT (count\(\*\)|\(count\(\*\) \+ \d+ - 1\) \/ \d+) FROM .+\) AS total$/);
      }
    }
  });

  it('starts at the first step not done, and says a running step was interrupted', () => {
    expect(selectSteps(steps, [], {}).run[0]?.header.number).toBe(1);
    const journal = [row(1, 'done'), row(2, 'done'), row(3, 'running'), row(5, 'done')];
    const { run, note } = selectSteps(steps, journal, {});
    expect(run.map((s) => s.header.number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(note).toBe('resuming at step 3, which was interrupted; it runs again from its start');
    expect(selectSteps(steps, steps.map((s) => row(s.header.number, 'done')), {}).run).toEqual([]);
  });

  it('honours --from, --only and --to, and refuses steps that do not exist', () => {
    expect(selectSteps(steps, [], { only: 4 }).run.map((s) => s.header.number)).toEqual([4]);
    expect(selectSteps(steps, [], { from: 14, to: 15 }).run.map((s) => s.header.number)).toEqual([14, 15]);
    expect(selectSteps(steps, [], { from: 3 }).note).toBe('from step 3 (--from); steps 1, 2 were never done');
    expect(() => selectSteps(steps, [], { only: 17 })).toThrow(/--only 17 is not a step of this runbook \(1 to 16\)/);
    expect(() => selectSteps(steps, [], { only: 2, to: 3 })).toThrow(/cannot be combined/);
    expect(() => selectSteps(steps, [row(1, 'done'), row(2, 'done')], { to: 1 })).toThrow(/--to 1 is before the first step to run \(3\)/);
  });

  it('guards the change and batch steps between disabling and enabling CPS', () => {
    expect([...cpsGuardedSteps(steps)]).toEqual([2, 4, 6, 8, 10, 13]);
    const recalc = all.find((e) => e.name === 'recalc-only-postgres')!;
    expect([...cpsGuardedSteps(loadSteps(recalc.manifest, recalc.files, false))]).toEqual([]);
  });

  it('refuses a file that does not match the manifest, naming it', () => {
    const edited = multi.files.map((f) => (f.path === '13-reset-events.sql' ? { ...f, content: `${f.content} ` } : f));
    expect(() => verifyChecksums(multi.manifest, edited, 'rb')).toThrow(/^rb: 13-reset-events\.sql differs from its sha256/);
    const extra = [...multi.files, { path: '17-extra.sql', content: 'DELETE FROM customer_events;' }];
    expect(() => verifyChecksums(multi.manifest, extra, 'rb')).toThrow(/17-extra\.sql is not listed in manifest\.json/);
    expect(() => verifyChecksums(multi.manifest, multi.files, 'rb')).not.toThrow();
  });
});

describe('servers and connections', () => {
  it('tells CockroachDB from PostgreSQL by version()', () => {
    expect(detectDialect('PostgreSQL 18.4 on x86_64-pc-linux-gnu')?.name).toBe('postgres');
    expect(detectDialect('CockroachDB CCL v25.2.1 (x86_64-pc-linux-gnu, built 2025/06/01)')?.name).toBe('cockroachdb');
    expect(detectDialect('MySQL 8')).toBeNull();
    expect(DIALECTS.cockroachdb.server.begin(true)).toBe('BEGIN TRANSACTION PRIORITY HIGH');
  });

  it('keeps the password out of the label and scrubs it from any text', () => {
    const t = connectionTarget('postgresql://me:p%40ss%2Fw0rd@db.example:6543/cdp?sslmode=require&application_name=x', {});
    expect(t.label).toBe('me@db.example:6543/cdp');
    expect(t.config.application_name).toBe('restitch');
    expect(t.config.connectionString).not.toContain('application_name');
    expect(t.redact('auth failed for p@ss/w0rd and p%40ss%2Fw0rd')).toBe('auth failed for *** and ***');
    const env = connectionTarget(undefined, { PGHOST: 'h', PGUSER: 'u', PGPASSWORD: 'hunter2', PGDATABASE: 'd' });
    expect(env.label).toBe('u@h:5432/d');
    expect(env.redact('hunter2!')).toBe('***!');
    expect(() => connectionTarget('mysql://x@y/z', {})).toThrow(/--db must start with postgresql:\/\//);
    expect(() => connectionTarget(undefined, { DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL is not a URL/);
  });

  it('retries lost connections and conflicts, not SQL errors', () => {
    for (const code of ['57P01', '40001', '40P01', '40003', '55P03', '08006', 'ECONNRESET']) expect(isTransient({ code }), code).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['42P01', '23505', '57014', '25006']) expect(isTransient({ code, message: 'x' }), code).toBe(false);
    expect([1, 2, 3, 12].map((a) => backoff(a, 500))).toEqual([500, 1000, 2000, 30_000]);
  });

  it('sets timeouts per step kind, overridable', () => {
    expect(stepSettings('batch', {})).toEqual({ statement_timeout: '600000ms', lock_timeout: '30000ms' });
    expect(stepSettings('check', { statementTimeoutMs: 0 })).toEqual({ statement_timeout: '0ms', lock_timeout: '10000ms' });
  });
});

describe('checks and batches', () => {
  it('passes a check only when rows came back and every ok is true', () => {
    expect(checkVerdict([{ ok: true }, { ok: true }]).ok).toBe(true);
    expect(checkVerdict([]).message).toBe('the check returned no rows');
    expect(checkVerdict([{ check_name: 'a', ok: true }, { check_name: 'b', ok: false }, { check_name: 'c', ok: null }]).message).toBe('2 of 3 row(s) not ok: b; c');
    expect(checkVerdict([{ ok: 't' }]).ok).toBe(false);
  });

  it('changes only the batch LIMIT for --batch-size, in every batch step of every example', async () => {
    for (const ex of all) {
      for (const s of [...loadSteps(ex.manifest, ex.files, false), ...loadSteps(ex.manifest, ex.files, true)].filter((x) => x.header.kind === 'batch')) {
        const changed = withBatchSize(s.body, ex.manifest.inputs.batchSize, 777, s.file);
        expect(changed).toContain('LIMIT 777');
        expect(changed.replace('LIMIT 777', `LIMIT ${ex.manifest.inputs.batchSize}`)).toBe(s.body);
      }
    }
    expect(() => withBatchSize('SELECT 1 LIMIT 5', 10, 20, 'x.sql')).toThrow(/x\.sql: expected exactly one LIMIT 10/);
    expect(() => withBatchSize('SELECT 1\nLIMIT 5 -- restitch:batch-size', 10, 20, 'x.sql')).toThrow(/x\.sql: expected exactly one LIMIT 10/);
  });

  it('prints rows as an aligned table', () => {
    const why = `entity ${'e'.repeat(40)} still has 3 events stitched to it and 2 identifiers left`;
    expect(formatTable([{ check_name: 'x'.repeat(70), ok: false, detail: why }])).toContain(`| ${why}\n`);
    expect(formatTable([{ check_name: 'x'.repeat(70), ok: false, detail: why }])).toContain(`${'x'.repeat(59)}…`);
    expect(formatTable([{ check_name: 'a', ok: false, detail: null }, { check_name: 'longer', ok: true, detail: 'x' }])).toBe(
      ['    check_name | ok    | detail', '    ---------- | ----- | ------', '    a          | false |', '    longer     | true  | x', ''].join('\n'),
    );
  });
});

describe('manifest.json with fields missing', () => {
  it('names the missing fields instead of reporting a --batch-size error', () => {
    const text = readFileSync(join(EXAMPLES_DIR, 'multi-entity-postgres', 'manifest.json'), 'utf8');
    const m = JSON.parse(text) as { inputs: Record<string, unknown>; steps: Record<string, unknown>[] };
    delete m.inputs.batchSize;
    delete m.inputs.incident;
    delete m.steps[1]?.kind;
    expect(() => parseManifest(JSON.stringify(m), 'x/manifest.json')).toThrow(
      'x/manifest.json: inputs.incident, inputs.batchSize, steps[1].kind missing or of the wrong type; regenerate the runbook',
    );
    expect(() => parseManifest(text, 'x/manifest.json')).not.toThrow();
  });
});

describe('formatAttempt', () => {
  const row = (status: string, attempt: number) => ({
    runbook_id: 'inc', checksum: 'c', step: 1, attempt, status, started_at: new Date('2026-12-06T08:00:00Z'), ended_at: null,
    rows: 0, batches: 0, error: null, confirmed_by: null, db_user: 'runner', os_user: 'ops', host: 'vm', run_id: null,
  });
  it('shows a release as what it was, not as an attempt', () => {
    expect(formatAttempt(row('incident-released', 0))).toMatch(/^\s+incident released, 2026-12-06T08:00:00\.000Z, by /);
    expect(formatAttempt(row('lease-released', 0))).toMatch(/^\s+lease released, 2026-12-06T08:00:00\.000Z, by /);
    expect(formatAttempt(row('done', 2))).toMatch(/^\s+attempt 2: done, 2026-12-06T08:00:00\.000Z, 0 rows, by /);
  });
});
