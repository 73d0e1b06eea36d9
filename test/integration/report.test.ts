import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateThrottleQuery } from '../../src/runner/throttle/throttleQuery.js';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { count, JOURNAL, multiEntityRunbook, RESET_STEP, upToReset } from '../helpers/resetRun.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
const work = mkdtempSync(join(tmpdir(), 'restitch-report-'));

beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const matches = (text: string, re: RegExp) => [...text.matchAll(re)].length;

describe('restitch report', () => {
  it('renders the record and the SVG timeline of a run that had a pause, a retry and a manual confirmation', async () => {
    const dir = multiEntityRunbook(work, 'report-test', 500);
    const db = await server.database('report', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedGluedEvents(db, 3000);
    await db.query('CREATE TABLE queue (id int); INSERT INTO queue VALUES (1)');
    const url = server.url('report');
    await upToReset(dir, url);
    // Attempt 1 of the reset: held by the throttle longer than --max-pause, so it fails.
    const throttled = await runInProcess(dir, url, { throttleQuery: await validateThrottleQuery('SELECT count(*) FROM queue'), throttleMax: 0, maxPauseMs: 300, throttleIntervalMs: 50 });
    expect(throttled.exitCode).toBe(1);
    await db.query('DELETE FROM queue');
    // A run killed on another host left its lease; its heartbeat stopped an hour ago, so the next run takes it over.
    await db.query(`INSERT INTO external_data.restitch_lease (incident, run_id, runbook, checksum, host, pid, step, started_at, heartbeat_at, timeout_ms)
      VALUES ('report-test', 'dead-run-0001', 'report-test', 'c', 'ops-9', 4242, 13, now() - interval '2 hours', now() - interval '1 hour', 120000)`);
    // Attempt 2 goes to the end, the platform beside (the manual steps confirmed with --confirm).
    const platform = platformBeside(url, false, JOURNAL);
    const finished = await runInProcess(dir, url, {});
    await platform.stop();
    expect(finished.exitCode, JSON.stringify(finished.steps.filter((s) => s.status !== 'done'))).toBe(0);
    expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);

    const r = runCli(['report', dir, '--db', url]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(dir, 'RUN-REPORT.md'), 'utf8');
    const svg = readFileSync(join(dir, 'RUN-REPORT-timeline.svg'), 'utf8');
    expect(r.stdout).toMatch(/wrote .*RUN-REPORT\.md and .*RUN-REPORT-timeline\.svg: 17 attempts, 1 pauses, \d+ batches/);
    expect(md).toContain('# Incident record: report-test');
    expect(md).toContain('![Timeline: step bars, batch throughput, pauses shaded](RUN-REPORT-timeline.svg)');
    // Every step, the retried one with its attempt number; who ran each.
    const who = `postgres (${userInfo().username}@`;
    expect(md).toMatch(new RegExp(`\\n\\| 13 \\| batch \\| [^|]+ \\| 2 \\| done \\| [^|]+ \\| [^|]+ \\| [^|]* \\| 3005 \\| \\d+ \\| [^|]* \\| ${who.replace(/[()]/g, '\\$&')}`));
    // The journal's history keeps both attempts of step 13: 16 steps, 17 attempts.
    expect(md.match(/\n\| \d+ \| (?:manual|change|check|batch|wait) \|/g)?.length).toBe(17);
    expect(md).toMatch(/\n\| 13 \| batch \| [^|]+ \| 1 \| failed \|/);
    // Three runs: up to the reset, the throttled one (exit 1), the one that finished.
    expect(md).toMatch(/\| [0-9a-f]{8} \| report-test \| [^|]+ \| [^|]+ \| 1: step 13 failed: 13-reset-events\.sql: step 13 was paused \d+ ms \(throttle 1 > 0\), longer than --max-pause 300 ms; [^|]+ \| postgres \|/);
    expect(matches(md, /\n\| [0-9a-f]{8} \| report-test \|/g)).toBe(3);
    // Confirmations of the manual steps, check answers with their details, the pause.
    expect(md).toMatch(/- step 1 \(Test the corrected PS rule[^)]*\): confirmed by --confirm/);
    expect(md).toMatch(/- step 15 \([^)]*\): confirmed by --confirm/);
    expect(md).toMatch(/### report-test step 3: .* \(passed, /);
    expect(md).toMatch(/\| check_name \| ok \| detail \|/);
    expect(md).toMatch(/\| report-test \| 13 \| [^|]+ \| [^|]+ \| \d+ ms \| throttle 1 > 0 \|/);
    expect(md).toMatch(/## Lease takeovers\n\n- [^\n]+: run [0-9a-f]{8} took over the lease of report-test on ops-9 pid 4242 \(run dead-run\), started [^,]+, at step 13, last heartbeat 36\d\ds ago\n/);
    expect(md).toContain('The undo runbook was not run.');
    // Nothing leaks: not the password, not the URL.
    for (const text of [md, svg, r.stdout]) {
      expect(text).not.toContain(server.password);
      expect(text).not.toContain(url);
    }

    // The SVG: one bar per attempt, one point per batch, the pause shaded, a label per step.
    const batches = await count(db, 'SELECT count(*) AS n FROM external_data.restitch_batches');
    expect(batches).toBeGreaterThanOrEqual(6);
    expect(matches(svg, /<rect class="bar"/g)).toBe(17);
    expect(matches(svg, /<circle class="point"/g)).toBe(batches);
    expect(matches(svg, /<rect class="pause"/g)).toBe(1);
    expect(matches(svg, /<text class="label"[^>]*>\d+ /g)).toBe(16);
    expect(svg).toMatch(/<text class="label"[^>]*>13 Reset/);
    expect(svg).toContain('<title>paused ');

    // The report reads the journal history (one row per attempt, who ran it): hand-made rows of other hosts and users.
    await db.query('DELETE FROM external_data.restitch_journal_history');
    await db.query(`INSERT INTO external_data.restitch_journal_history VALUES
      ('report-test', 'c1', ${RESET_STEP}, 1, 'failed', now() - interval '10 minutes', now() - interval '9 minutes', 0, 0, 'paused too long', NULL, 'alice', 'al', 'ops-1', 'run-1'),
      ('report-test', 'c1', ${RESET_STEP}, 2, 'done', now() - interval '8 minutes', now() - interval '7 minutes', 3005, 7, NULL, '--yes', 'bob', 'bo', 'ops-2', 'run-2'),
      ('report-test:undo', 'c2', 1, 1, 'done', now() - interval '5 minutes', now() - interval '4 minutes', 0, 0, NULL, '--confirm', 'carol', 'ca', 'ops-3', 'run-3')`);
    const h = runCli(['report', dir, '--db', url, '--out', join(work, 'history.md')]);
    expect(h.code, h.stderr).toBe(0);
    const hmd = readFileSync(join(work, 'history.md'), 'utf8');
    expect(hmd).toContain('journal history: every attempt');
    expect(hmd).toMatch(/\| 13 \| batch \| [^|]+ \| 1 \| failed \| [^|]+ \| 60.0 s \| [^|]* \| 0 \|  \|  \| alice \(al@ops-1\) \|/);
    expect(hmd).toMatch(/\| 13 \| batch \| [^|]+ \| 2 \| done \| [^|]+ \| 60.0 s \| [^|]* \| 3005 \| 7 \| --yes \| bob \(bo@ops-2\) \|/);
    expect(hmd).toContain('- step 13, attempt 1: paused too long');
    expect(hmd).toMatch(/## Undo\n\n\| Step[^\n]*\n[^\n]*\n\| 1 \| manual \| [^|]+ \| 1 \| done \|[^\n]*carol \(ca@ops-3\) \|/);
    const svgH = readFileSync(join(work, 'history-timeline.svg'), 'utf8');
    expect(matches(svgH, /<rect class="bar"/g)).toBe(3);
    expect(svgH).toMatch(/<text class="label"[^>]*>undo 1 /);

    const json = JSON.parse(runCli(['report', dir, '--db', url, '--json']).stdout) as { source: string; attempts: { step: number; attempt: number }[]; incident: string };
    expect(json.source).toBe('history');
    expect(json.attempts.map((a) => [a.step, a.attempt])).toEqual([[13, 1], [13, 2], [1, 1]]);
    await db.end();
  }, 180_000);
});
