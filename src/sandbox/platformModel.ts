/**
 * The simulated platform as a model with state and timing, so tests can catch what an instant,
 * kind platform hides (docs/platform-model.md describes each option and what it can break):
 * - the clean-up routine deletes an entity `cleanupDelayMs` after it first sees it marked
 *   (modified = NULL), as production does "within about a minute"; until then undo can still put
 *   it back, after it cannot. `cleanup: 'read-then-delete'` deletes the ids it read without
 *   looking at modified again;
 * - new events arrive while a runbook runs (`arrivals`, one identifier or several), some carrying
 *   the chosen entities' identifiers. They arrive as plumbing writes them: not stitched, no
 *   identifiers parsed (legacy, with `legacyArrivals`: a cdp_ce row and a queue row);
 * - a concurrent writer recalculates entities (`writes`: modified and calculated set);
 * - CPS stitches during a window whatever the journal says (`cpsWindows`, `cpsOn`/`cpsOff`).
 * One round does what is due; `pending` says whether anything is still due later.
 */
import type { Queryable } from './db.js';
import { arrive, type Arrival } from './arrivals.js';
import { cleanupRoutine, type CleanupMode } from './cleanupRoutine.js';
import { brokenRule, fixedRule, recalculateCurrent, stitchCurrent, stitchLegacy, type Normalise } from './simulator.js';

export { arrivalId, type Arrival } from './arrivals.js';
export type { CleanupMode } from './cleanupRoutine.js';

/** A write to an entity by another writer `afterMs` after the model starts: its recalculation (modified and calculated to now()). */
export interface EntityWrite {
  afterMs: number;
  entity: string;
}

/** CPS stitching from `fromMs` to `toMs` (after the model starts) whatever the runbook's journal says, with `rule` (default: the broken rule). */
export interface CpsWindow {
  fromMs: number;
  toMs: number;
  rule?: Normalise;
}

/** How the simulated platform behaves. Every option is off by default unless production behaves so. */
export interface PlatformOptions {
  /** The PS rule the stitcher uses once the journal says CPS is enabled (default: the fixed rule). */
  rule?: Normalise;
  /** How long the clean-up routine leaves a marked entity before deleting it (default 60 s, as in production). */
  cleanupDelayMs?: number;
  /** How the clean-up routine deletes (default 'recheck': only rows still marked). */
  cleanup?: CleanupMode;
  /** Events that arrive while the runbook runs (current schema; legacy too with `legacyArrivals`). */
  arrivals?: readonly Arrival[];
  /** Arrivals in the legacy schema too: plumbing writes cdp_ce.customer_events and enqueues the event (default off). */
  legacyArrivals?: boolean;
  /** Recalculations of entities by another writer (current schema). */
  writes?: readonly EntityWrite[];
  /** The recalculation of entities with calculated IS NULL sets modified = now() too (default off: the wiki asks it for calculated only). */
  recalculationSetsModified?: boolean;
  /** Windows in which CPS runs although the journal says it is disabled. */
  cpsWindows?: readonly CpsWindow[];
}

/** What one round did, and whether more is due later. */
export interface RoundResult {
  changed: number;
  pending: boolean;
}

/** More work for the model, `afterMs` counted from the call. */
export interface Scheduled {
  arrivals?: readonly Arrival[];
  writes?: readonly EntityWrite[];
}

/** The platform's state between rounds. */
export interface PlatformModel {
  round(db: Queryable, cpsEnabled: boolean): Promise<RoundResult>;
  /** Rows of the events that have arrived so far, as they arrived. */
  arrived(): Record<string, unknown>[];
  /** Arrivals and writes from now on (a pause the test chooses). */
  schedule(more: Scheduled): void;
  /** CPS stitches from now on with `rule` (default: the broken rule), whatever the journal says, until `cpsOff`. */
  cpsOn(rule?: Normalise): void;
  cpsOff(): void;
}

export const DEFAULT_CLEANUP_DELAY_MS = 60_000;

type Due<T> = T & { at: number };
const byTime = <T extends { at: number }>(a: T, b: T) => a.at - b.at;

export function platformModel(legacy: boolean, options: PlatformOptions = {}): PlatformModel {
  const started = Date.now();
  const arrivalsHere = !legacy || options.legacyArrivals === true;
  const arrivals: Due<Arrival>[] = arrivalsHere ? (options.arrivals ?? []).map((a) => ({ ...a, at: started + a.afterMs })).sort(byTime) : [];
  const writes: Due<EntityWrite>[] = legacy ? [] : (options.writes ?? []).map((w) => ({ ...w, at: started + w.afterMs })).sort(byTime);
  const windows = (options.cpsWindows ?? []).map((w) => ({ from: started + w.fromMs, to: started + w.toMs, rule: w.rule ?? brokenRule }));
  const cleanup = cleanupRoutine(options.cleanup ?? 'recheck', options.cleanupDelayMs ?? DEFAULT_CLEANUP_DELAY_MS);
  const arrived: Record<string, unknown>[] = [];
  let forced: Normalise | null = null;

  /** The rule CPS stitches with now, or null while it does not run. A forced CPS wins over the journal's. */
  function cpsRule(journalSaysEnabled: boolean, now: number): Normalise | null {
    const open = windows.find((w) => now >= w.from && now < w.to);
    return forced ?? open?.rule ?? (journalSaysEnabled ? options.rule ?? fixedRule : null);
  }

  async function write(db: Queryable, now: number): Promise<number> {
    let n = 0;
    while (writes.length > 0 && (writes[0]?.at ?? Infinity) <= now) {
      const w = writes.shift() as Due<EntityWrite>;
      // Whatever the entity's state: a recalculation of an entity marked for deletion un-marks it (the worst case).
      n += (await db.query('UPDATE customer_attributes SET modified = now(), calculated = now() WHERE customer_entity_id = $1', [w.entity])).rowCount ?? 0;
    }
    return n;
  }

  return {
    arrived: () => arrived.map((r) => ({ ...r })),
    schedule(more) {
      const now = Date.now();
      if (arrivalsHere) arrivals.push(...(more.arrivals ?? []).map((a) => ({ ...a, at: now + a.afterMs })));
      if (!legacy) writes.push(...(more.writes ?? []).map((w) => ({ ...w, at: now + w.afterMs })));
      arrivals.sort(byTime);
      writes.sort(byTime);
    },
    cpsOn(rule = brokenRule) {
      forced = rule;
    },
    cpsOff() {
      forced = null;
    },
    async round(db, cpsEnabled) {
      const now = Date.now();
      const rule = cpsRule(cpsEnabled, now);
      const came = await arrive(db, legacy, arrivals, now, arrived);
      const later = arrivals.length > 0 || windows.some((w) => w.from > now);
      if (legacy) {
        const stitched = rule ? await stitchLegacy(db, rule) : 0;
        return { changed: came + stitched, pending: later };
      }
      const written = await write(db, now);
      const { deleted, waiting } = await cleanup(db, now);
      const recalculated = await recalculateCurrent(db, options.recalculationSetsModified === true);
      const stitched = rule ? await stitchCurrent(db, rule) : 0;
      return { changed: came + written + deleted + recalculated + stitched, pending: later || waiting > 0 || writes.length > 0 };
    },
  };
}
