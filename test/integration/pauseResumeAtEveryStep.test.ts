/**
 * A pause at every point of a forward run, with CPS stitching during it (the broken rule, new
 * events carrying the chosen entities' identifiers: the worst case), then the run resumed while
 * that CPS is still enabled, idle. The resume either finishes, or stops with a clear message and
 * nothing changed since the pause; in both cases the CPS of the pause is then stopped, and after a
 * stop the way forward the refusal names is taken: before the point of no return undo while it
 * applies, then the runbook generated again with a new incident, run whole; past it the run
 * resumed once CPS is stopped. At the end no event may stay stitched to an identifier no entity
 * holds; in the legacy schema (events arriving through plumbing's queue) no event may be left
 * without a matching row and out of the queue that was not so before the run.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { loadSteps } from '../../src/core/steps.js';
import type { Arrival } from '../../src/sandbox/platformModel.js';
import type { PlatformLoop } from '../../src/sandbox/platformBeside.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { brokenRule } from '../../src/sandbox/simulator.js';
import type { RunReport } from '../../src/runner/types.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';
import { orphanedEvents, unmatchedEvents } from '../helpers/orphans.js';
import { anotherIncident, platformBeside, runInProcess } from '../helpers/runner.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

/**
 * What arrives during the pause, for CPS to stitch with the broken rule: events with E1's
 * identifiers ("None", a1), with E2's (12345 and 12345.0: the broken rule keeps both), and one
 * with several identifiers, one of them new (it adds n2 to E1's customer).
 */
const PAUSE_ARRIVALS: Arrival[] = [
  { afterMs: 0, identifier: 'None' },
  { afterMs: 0, identifier: 'a1' },
  { afterMs: 0, identifier: ['12345', '12345.0'] },
  { afterMs: 0, identifier: ['a1', 'n2'] },
];
/** The same in the legacy schema: L1's "None" and x1, E2's y1, and x1 with a new n2. */
const LEGACY_PAUSE_ARRIVALS: Arrival[] = [
  { afterMs: 0, identifier: 'None' },
  { afterMs: 0, identifier: 'x1' },
  { afterMs: 0, identifier: 'y1' },
  { afterMs: 0, identifier: ['x1', 'n2'] },
];
const PARALLEL = 3;
/** A resumed run or a way forward that has not ended by then is stuck on a wait that cannot pass. */
const RUN_DEADLINE_MS = 8_000;

type Outcome = { k: number; resumed: 'finished' | 'refused'; detail: string; after?: string };

/** The change and batch steps of `report` that changed rows, for the message when the data changed. */
const changing = (report: RunReport) => report.steps.filter((s) => (s.kind === 'change' || s.kind === 'batch') && s.status === 'done' && s.rows !== 0).map((s) => `${s.step} (${s.rows} rows)`).join(', ');

const notDone = (r: RunReport) => JSON.stringify(r.steps.filter((s) => s.status !== 'done').map((s) => ({ step: s.step, status: s.status, message: s.message, details: s.details })));

/** Runs with a deadline; a refusal before any step (thrown) comes back as an empty report with its message. */
async function run(dir: string, url: string, options: { undo?: boolean; to?: number } = {}): Promise<RunReport & { refusal?: string }> {
  const signal = AbortSignal.timeout(RUN_DEADLINE_MS);
  return runInProcess(dir, url, { ...options, signal }).catch((error: Error) => ({ runbook: '', checksum: '', dialect: '', steps: [], exitCode: 1 as const, refusal: error.message }));
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

const postgresExamples = examples().filter((e) => e.manifest.dialect === 'postgres');

describe.each(postgresExamples.map((e) => [e.name, e] as const))('%s: paused after each step while CPS stitches, then resumed', (_name, ex) => {
  const legacy = ex.manifest.schema === 'legacy';
  const journal = sqlQualified(ex.manifest.inputs.workSchema, 'restitch_journal');
  const steps = loadSteps(ex.manifest, ex.files, false);
  const work = tempDir('pause-resume');

  /** Drives one pause after step k; returns how the resume went, or throws naming what broke. */
  async function pauseAfter(k: number): Promise<Outcome> {
    const name = `p${++dbCount}`;
    const db: pg.Client = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
    await (legacy ? seedLegacy(db) : seedCurrent(db));
    const url = server.url(name);
    const orphans = legacy ? unmatchedEvents : orphanedEvents;
    const before = new Set(await orphans(db));
    const platform: PlatformLoop = platformBeside(url, legacy, journal, { legacyArrivals: true });
    try {
      const forward = await run(ex.dir, url, { to: k });
      expect(forward.exitCode, `forward to ${k}: ${forward.refusal ?? notDone(forward)}`).toBe(0);
      // The pause: CPS runs whatever the journal says, with the broken rule, and new events arrive.
      platform.cpsOn(brokenRule);
      platform.schedule({ arrivals: legacy ? LEGACY_PAUSE_ARRIVALS : PAUSE_ARRIVALS });
      await platform.settled();
      const paused = await snapshot(db, legacy);
      const resumed = await run(ex.dir, url);
      await platform.settled();
      let outcome: Outcome;
      if (resumed.exitCode === 0) {
        outcome = { k, resumed: 'finished', detail: `from step ${resumed.steps[0]?.step ?? '-'}` };
      } else {
        const message = resumed.refusal ?? resumed.steps.find((s) => s.status !== 'done' && s.message)?.message ?? '';
        expect(message, `after step ${k} the resume stopped without a message: ${notDone(resumed)}`).not.toBe('');
        expect(resumed.exitCode, `after step ${k} the resume ended ${resumed.exitCode}: stuck (${notDone(resumed)})`).toBe(1);
        // Nothing changed since the pause: the platform's rows (the working tables may have been made).
        const now = await snapshot(db, legacy);
        expect(now, `after step ${k} the resume changed the data before it stopped (steps ${changing(resumed)}): ${notDone(resumed)}`).toEqual(paused);
        outcome = { k, resumed: 'refused', detail: message };
      }
      platform.cpsOff();
      if (outcome.resumed === 'refused') outcome.after = await wayForward(k, url, resumed);
      await platform.settled();
      const what = `after step ${k}, resume ${outcome.resumed} (${outcome.detail})${outcome.after ? `, then ${outcome.after}` : ''}`;
      const left = (await orphans(db)).filter((id) => !before.has(id));
      const lost = legacy ? 'events left unmatched and not queued' : 'events stitched to identifiers no entity holds';
      expect(left, `${what}: ${lost}: ${left.join(', ')}`).toEqual([]);
      return outcome;
    } finally {
      await platform.stop();
      await db.end();
    }
  }

  /**
   * What the refusal says to do. A refusal before any step, or a stop that can still be generated
   * again (before the point of no return): undo this run while it applies, then the runbook
   * generated again with a new incident, run whole. Past the point of no return: resume.
   * Returns what was done and how it ended.
   */
  async function wayForward(k: number, url: string, resumed: RunReport & { refusal?: string }): Promise<string> {
    if (resumed.refusal === undefined && resumed.regenerate === undefined) {
      const again = await run(ex.dir, url);
      return `resumed with CPS stopped: exit ${again.exitCode}${again.exitCode === 0 ? '' : ` ${again.refusal ?? notDone(again)}`}`;
    }
    const undo = await run(ex.dir, url, { undo: true });
    const dir = await anotherIncident(ex.dir, `again-${k}`, join(work, `again-${k}`));
    const report = await run(dir, url);
    const how = (r: RunReport & { refusal?: string }) => `exit ${r.exitCode}${r.exitCode === 0 ? '' : ` (${r.refusal ?? r.steps.find((x) => x.status !== 'done')?.message ?? ''})`}`;
    return `undo ${how(undo)}, new incident ${how(report)}`;
  }

  it('finishes, or stops with a clear message and nothing changed; no event is orphaned at the end', { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    const outcomes: Outcome[] = [];
    await pool(steps.map((s) => s.header.number), PARALLEL, async (k) => {
      try {
        outcomes.push(await pauseAfter(k));
      } catch (error) {
        failures.push(`step ${k}: ${(error as Error).message.split('\n')[0]}`);
      }
    });
    failures.sort((a, b) => Number(a.split(/[ :]/)[1]) - Number(b.split(/[ :]/)[1]));
    expect(failures).toEqual([]);
    expect(outcomes.length).toBe(steps.length);
  });
});
