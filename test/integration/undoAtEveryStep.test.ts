/**
 * Undo at every point of a forward run, with the platform running beside it (the clean-up routine
 * with a delay, new events arriving, the stitcher once CPS is enabled): undo either puts back
 * exactly the original rows (the arrived events untouched) or refuses with nothing changed.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQualified } from '../../src/core/sql.js';
import { loadSteps } from '../../src/core/steps.js';
import type { Arrival } from '../../src/sandbox/platformModel.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';
import type { RunReport } from '../../src/runner/types.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';
import { orphanedEvents } from '../helpers/orphans.js';
import { platformBeside, runInProcess } from '../helpers/runner.js';

const server = new TestServer();
let dbCount = 0;
beforeAll(() => server.start());
afterAll(() => server.stop());

type Snapshot = Record<string, unknown[]>;
type Row = Record<string, unknown>;

/** Events arriving while the runbook runs, some with the chosen entities' identifiers. */
const ARRIVALS: Arrival[] = [
  { afterMs: 0, identifier: 'None' },
  { afterMs: 120, identifier: 'a1' },
  { afterMs: 300, identifier: '12345.0' },
];
/** Long enough that an undo started right away wins the race with the clean-up routine. */
const QUICK_CLEANUP_MS = 4000;
const PARALLEL = 3;

/** `snap` with the arrived events added (as they arrived) where it lacks them. */
function withArrivals(snap: Snapshot, arrived: Row[]): Snapshot {
  const events = (snap.events ?? []) as Row[];
  const have = new Set(events.map((e) => String(e.id)));
  const added = arrived.filter((a) => !have.has(String(a.id)));
  if (added.length === 0) return snap;
  // Event ids are uuids: their order in PostgreSQL is that of their lower-case text.
  return { ...snap, events: [...events, ...added].sort((x, y) => (String(x.id) < String(y.id) ? -1 : 1)) };
}

/** What the clean-up routine alone makes of `snap`: every marked entity deleted. */
function cleanedUp(snap: Snapshot): Snapshot {
  return { ...snap, entities: (snap.entities as Row[]).filter((e) => e.modified !== null) };
}

/** Undo wrote nothing to the platform: every change and batch step that ran changed no row. */
function changedNothing(report: RunReport): boolean {
  return report.steps.every((s) => (s.kind !== 'change' && s.kind !== 'batch') || s.status !== 'done' || s.rows === 0);
}

async function fresh(legacy: boolean): Promise<{ db: pg.Client; url: string }> {
  const name = `e${++dbCount}`;
  const db = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
  await (legacy ? seedLegacy(db) : seedCurrent(db));
  return { db, url: server.url(name) };
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

const postgresExamples = examples().filter((e) => e.manifest.dialect === 'postgres' && e.manifest.undo.length > 0);

describe.each(postgresExamples.map((e) => [e.name, e] as const))('%s: forward stopped after each step, then undo', (_name, ex) => {
  const legacy = ex.manifest.schema === 'legacy';
  const journal = sqlQualified(ex.manifest.inputs.workSchema, 'restitch_journal');
  const steps = loadSteps(ex.manifest, ex.files, false);
  const noReturn = steps.find((s) => s.header.pointOfNoReturn)?.header.number ?? Infinity;
  const disable = steps.find((s) => s.slug === 'disable-cps')?.header.number ?? 0;
  const enable = steps.find((s) => s.slug === 'enable-cps')?.header.number ?? 0;
  /** Steps after which the clean-up routine has reset entities to delete and undo still applies. */
  const firstReset = steps.find((s) => s.header.number < noReturn && /^reset-entit/.test(s.slug))?.header.number ?? Infinity;
  const cleanupWindow = steps.map((s) => s.header.number).filter((k) => k >= firstReset && k < noReturn);
  /** After step k, may CPS run? Then no event may be orphaned. */
  const restPoint = (k: number) => disable === 0 || k < disable || (enable > 0 && k >= enable);

  async function forwardTo(k: number, quick: boolean) {
    const { db, url } = await fresh(legacy);
    const original = await snapshot(db, legacy);
    const platform = platformBeside(url, legacy, journal, { arrivals: ARRIVALS, ...(quick ? { cleanupDelayMs: QUICK_CLEANUP_MS } : {}) });
    const forward = await runInProcess(ex.dir, url, { to: k });
    expect(forward.exitCode, `forward to ${k}: ${JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))}`).toBe(0);
    return { db, url, original, platform };
  }

  async function expectUndoExactOrNothing(k: number, quick: boolean): Promise<'restored' | 'refused'> {
    const { db, url, original, platform } = await forwardTo(k, quick);
    try {
      if (!quick) await platform.settled();
      const atUndo = await snapshot(db, legacy);
      if (!legacy && !quick && restPoint(k)) expect(await orphanedEvents(db), `orphans after step ${k}`).toEqual([]);
      if (!legacy && !quick && enable > 0 && k === steps.length) {
        // The whole run: the events that arrived meanwhile are stitched by the corrected rule too.
        const ids = platform.arrived().map((a) => String(a.id));
        const { rows } = await db.query<{ id: string; stitched: Date | null; identifiers: string[] }>('SELECT id, stitched, identifiers FROM customer_events WHERE id = ANY ($1::uuid[]) ORDER BY id', [ids]);
        expect(rows.map((r) => [r.stitched !== null, r.identifiers])).toEqual([[true, []], [true, ['a1']], [true, ['12345']]]);
      }
      // The runner's refusal before anything runs is thrown: an empty report, nothing ran.
      const undo = await runInProcess(ex.dir, url, { undo: true }).catch((error: Error): RunReport => {
        expect(error.message).toMatch(/^undo refused: the forward run is past its point of no return/);
        expect(k, `refused by the runner after step ${k}`).toBeGreaterThanOrEqual(noReturn);
        return { runbook: '', checksum: '', dialect: '', steps: [], exitCode: 1 };
      });
      await platform.settled();
      const after = await snapshot(db, legacy);
      const arrived = platform.arrived();
      if (undo.exitCode === 0) {
        expect(k, `undo ran through after step ${k}, past the point of no return (step ${noReturn})`).toBeLessThan(noReturn);
        expect(after, `undo after step ${k} restores every original row`).toEqual(withArrivals(original, arrived));
        if (!legacy) expect(await orphanedEvents(db)).toEqual([]);
        return 'restored';
      }
      expect(changedNothing(undo), `undo after step ${k} changed rows before it stopped: ${JSON.stringify(undo.steps)}`).toBe(true);
      const expected = quick ? withArrivals(cleanedUp(atUndo), arrived) : atUndo;
      expect(after, `undo refused after step ${k}: nothing changed`).toEqual(expected);
      return 'refused';
    } finally {
      await platform.stop();
      await db.end();
    }
  }

  it('restores exactly or refuses with nothing changed, at every step', { timeout: 600_000 }, async () => {
    const outcomes = new Map<number, string>();
    await pool(steps.map((s) => s.header.number), PARALLEL, async (k) => {
      outcomes.set(k, await expectUndoExactOrNothing(k, false));
    });
    // From the point of no return on, undo refuses; so it does once the clean-up routine has
    // deleted the reset entities (the platform settled before undo); before, it restores (after
    // step 1 only the working tables are missing, which its preflight reports).
    for (const [k, outcome] of outcomes) {
      const expected = k >= noReturn || cleanupWindow.includes(k) ? 'refused' : k >= 2 ? 'restored' : outcome;
      expect(outcome, `after step ${k}`).toBe(expected);
    }
  });

  it.runIf(!legacy)('restores exactly when undo starts before the clean-up routine has deleted the reset entities', { timeout: 300_000 }, async () => {
    if (ex.manifest.scenario !== 'recalc-only') expect(cleanupWindow.length).toBeGreaterThan(0);
    await pool(cleanupWindow, PARALLEL, async (k) => {
      expect(await expectUndoExactOrNothing(k, true), `after step ${k}`).toBe('restored');
    });
  });
});
