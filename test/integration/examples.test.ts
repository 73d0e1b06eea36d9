import { join } from 'node:path';
import type pg from 'pg';
import { psqlStep } from '../helpers/psqlPaste.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { loadSteps } from '../../src/core/steps.js';
import { simulatedPlatform } from '../../src/sandbox/simulatedPlatform.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { expectPromisedOutcome } from '../helpers/outcome.js';
import { platformBeside, confirmManual, runInProcess, startCli } from '../helpers/runner.js';

const server = new TestServer();
const postgresExamples = examples().filter((e) => e.manifest.dialect === 'postgres');
let dbCount = 0;

beforeAll(() => server.start());
afterAll(() => server.stop());

async function fresh(legacy: boolean): Promise<{ db: pg.Client; name: string; url: string }> {
  const name = `t${++dbCount}`;
  const db = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
  await (legacy ? seedLegacy(db) : seedCurrent(db));
  return { db, name, url: server.url(name) };
}

describe.each(postgresExamples.map((e) => [e.name, e] as const))('%s on a real PostgreSQL', (_name, ex) => {
  const legacy = ex.manifest.schema === 'legacy';
  const journal = sqlQualified(ex.manifest.inputs.workSchema, 'restitch_journal');
  // The last step before the point of no return (or before the last step, when undo applies throughout).
  const forward = loadSteps(ex.manifest, ex.files, false);
  const noReturn = forward.findIndex((s) => s.header.pointOfNoReturn);
  const destructiveEnd = noReturn >= 0 ? noReturn : forward.length - 1;

  it('runs end to end through `restitch run --yes` with the platform beside it, leaving the promised data', async () => {
    const { db, url } = await fresh(legacy);
    const before = await snapshot(db, legacy);
    const platform = platformBeside(url, legacy, journal);
    const r = await startCli(['run', ex.dir, '--db', url, '--yes', ...confirmManual(ex.dir), '--wait-interval', '0.1']).done;
    await platform.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').filter((l) => / done /.test(l))).toHaveLength(ex.manifest.steps.length);
    expectPromisedOutcome(ex.manifest, before, await snapshot(db, legacy));
    if (!legacy) expect(await orphanedEvents(db), 'events stitched to identifiers no entity holds').toEqual([]);
    await db.end();
  });

  it('every step is safe to repeat: each run twice in a row still leaves the promised data', async () => {
    const { db, url } = await fresh(legacy);
    const before = await snapshot(db, legacy);
    const platform = platformBeside(url, legacy, journal);
    for (let n = 1; n <= ex.manifest.steps.length; n++) {
      for (const round of [1, 2]) {
        const report = await runInProcess(ex.dir, url, { only: n });
        expect(report.steps.map((s) => s.status), `step ${n}, round ${round}: ${report.steps[0]?.message}`).toEqual(['done']);
      }
    }
    await platform.stop();
    expectPromisedOutcome(ex.manifest, before, await snapshot(db, legacy));
    if (!legacy) expect(await orphanedEvents(db), 'events stitched to no entity').toEqual([]);
    await db.end();
  });

  it('is undone exactly by its undo runbook, run with `restitch run --undo` right before the point of no return', async () => {
    const { db, url } = await fresh(legacy);
    const before = await snapshot(db, legacy);
    expect(destructiveEnd).toBeGreaterThan(0);
    const run = await startCli(['run', ex.dir, '--db', url, '--yes', ...confirmManual(ex.dir), '--to', String(destructiveEnd)]).done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await snapshot(db, legacy)).not.toEqual(before);
    const undo = await startCli(['run', join(ex.dir, 'undo'), '--db', url, '--yes', ...confirmManual(join(ex.dir, 'undo')), '--wait-interval', '0.1', '--wait-hold', '0.3']).done;
    expect(undo.code, undo.stdout + undo.stderr).toBe(0);
    expect(await snapshot(db, legacy)).toEqual(before);
    if (!legacy) expect(await orphanedEvents(db), 'events stitched to no entity').toEqual([]);
    await db.end();
  });

  it('pastes into psql: every file runs with ON_ERROR_STOP', async () => {
    const { db, name } = await fresh(legacy);
    const p = simulatedPlatform(db, legacy);
    for (const step of ex.manifest.steps) {
      if (/-(enable|disable)-cps\.sql$/.test(step.file)) await p.manual(step.file.replace(/^\d+-|\.sql$/g, ''));
      await p.tick();
      const r = psqlStep(ex.dir, step.file, server.env(name));
      expect(r.status, `${step.file}: ${r.stderr}`).toBe(0);
    }
    await db.end();
  });
});
