/**
 * The simulated platform as a model with state and timing, so tests can catch what an instant,
 * kind platform hides:
 * - the clean-up routine deletes an entity `cleanupDelayMs` after it first sees it marked
 *   (modified = NULL), as production does "within about a minute"; until then undo can still put
 *   it back, after it cannot;
 * - new events arrive while a runbook runs (`arrivals`), some carrying the chosen entities'
 *   identifiers. They arrive as plumbing writes them: not stitched, no identifiers parsed. The
 *   right outcome: no runbook step and no undo step touches them; CPS stitches them with the
 *   corrected rule once it is enabled again, like any other new event.
 * One round does what is due; `pending` says whether anything is still due later.
 */
import type { Queryable } from './db.js';
import { fixedRule, recalculateCurrent, stitchCurrent, stitchLegacy, type Normalise } from './simulator.js';

/** An event that arrives `afterMs` after the model starts, with `ps_identifier` = `identifier`. */
export interface Arrival {
  afterMs: number;
  identifier: string;
}

/** How the simulated platform behaves. */
export interface PlatformOptions {
  /** The PS rule the stitcher uses once CPS is enabled (default: the fixed rule). */
  rule?: Normalise;
  /** How long the clean-up routine leaves a marked entity before deleting it (default 60 s, as in production). */
  cleanupDelayMs?: number;
  /** Events that arrive while the runbook runs (current schema). */
  arrivals?: readonly Arrival[];
}

/** What one round did, and whether more is due later. */
export interface RoundResult {
  changed: number;
  pending: boolean;
}

/** The platform's state between rounds. */
export interface PlatformModel {
  round(db: Queryable, cpsEnabled: boolean): Promise<RoundResult>;
  /** Rows of the events that have arrived so far, as they arrived. */
  arrived(): Record<string, unknown>[];
}

export const DEFAULT_CLEANUP_DELAY_MS = 60_000;

/** The id of the n-th arriving event: deterministic, apart from the seeded ones. */
export const arrivalId = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

export function platformModel(legacy: boolean, options: PlatformOptions = {}): PlatformModel {
  const rule = options.rule ?? fixedRule;
  const delay = options.cleanupDelayMs ?? DEFAULT_CLEANUP_DELAY_MS;
  const schedule = legacy ? [] : [...(options.arrivals ?? [])].sort((a, b) => a.afterMs - b.afterMs);
  const started = Date.now();
  const markedSince = new Map<string, number>();
  const arrived: Record<string, unknown>[] = [];

  async function arrive(db: Queryable): Promise<number> {
    let n = 0;
    while (arrived.length < schedule.length && Date.now() - started >= (schedule[arrived.length]?.afterMs ?? Infinity)) {
      const a = schedule[arrived.length] as Arrival;
      const { rows } = await db.query(
        `INSERT INTO customer_events (id, event_time, payload, stitched, identifiers) VALUES ($1, now(), $2, NULL, NULL) RETURNING *`,
        [arrivalId(arrived.length + 1), { ps_identifier: a.identifier }],
      );
      arrived.push(...rows);
      n++;
    }
    return n;
  }

  /** Deletes the marked entities whose delay has run out; remembers when each was first seen marked. */
  async function cleanup(db: Queryable): Promise<{ deleted: number; waiting: number }> {
    const now = Date.now();
    const marked = (await db.query<{ id: string }>('SELECT customer_entity_id AS id FROM customer_attributes WHERE modified IS NULL')).rows.map((r) => r.id);
    const seen = new Set(marked);
    for (const id of markedSince.keys()) if (!seen.has(id)) markedSince.delete(id);
    for (const id of marked) if (!markedSince.has(id)) markedSince.set(id, now);
    const due = marked.filter((id) => now - (markedSince.get(id) ?? now) >= delay);
    if (due.length === 0) return { deleted: 0, waiting: marked.length };
    const r = await db.query('DELETE FROM customer_attributes WHERE modified IS NULL AND customer_entity_id = ANY ($1::text[])', [due]);
    for (const id of due) markedSince.delete(id);
    return { deleted: r.rowCount ?? 0, waiting: marked.length - due.length };
  }

  return {
    arrived: () => arrived.map((r) => ({ ...r })),
    async round(db, cpsEnabled) {
      if (legacy) {
        const stitched = cpsEnabled ? await stitchLegacy(db, rule) : 0;
        return { changed: stitched, pending: false };
      }
      const arrivals = await arrive(db);
      const { deleted, waiting } = await cleanup(db);
      const recalculated = await recalculateCurrent(db);
      const stitched = cpsEnabled ? await stitchCurrent(db, rule) : 0;
      return { changed: arrivals + deleted + recalculated + stitched, pending: waiting > 0 || arrived.length < schedule.length };
    },
  };
}
