/**
 * Where a batch walk stands before its next batch, read with the step's restitch:floor query
 * (CockroachDB, where the runner binds it as literals: templates/partials/common/keyset-batch.hbs,
 * src/core/identifierWalk.ts).
 */
import type { KeyRange } from './keyRanges.js';
import type { Db } from '../connection/session.js';
import { slotValues } from './slots.js';
import type { RunStep } from '../types.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** The parameters of a ranged walk's floor query: the range ($1 after, $2 up to); ranged walks are over UUIDs there. */
export function floorParams(step: RunStep, range: KeyRange | null): string[] | undefined {
  return step.header.ranges ? [range?.after ?? NIL_UUID, range?.upTo ?? MAX_UUID] : undefined;
}

/**
 * The floor (null: keep the statement's literal) and, for a walk over identifiers, the identifier
 * to read; `over` when such a walk has no identifier left (its floor query returns no row).
 */
export interface WalkPosition {
  floor: string | null;
  identifier: string | null;
  over: boolean;
}

/** The position of the walk of `step` (whose statement is `body`) within `range`, read on `db`. */
export async function readWalkPosition(db: Pick<Db, 'query'>, step: RunStep, body: string, range: KeyRange | null): Promise<WalkPosition> {
  const row = (await db.query<{ floor: unknown; identifier?: unknown }>(step.header.floor!, floorParams(step, range))).rows[0];
  if (slotValues(body, 'identifier').length > 0) {
    if (!row || row.identifier == null) return { floor: null, identifier: null, over: true };
    return { floor: row.floor == null ? null : String(row.floor), identifier: String(row.identifier), over: false };
  }
  const read = row?.floor ?? range?.after ?? null;
  return { floor: read === null || read === undefined ? null : String(read), identifier: null, over: false };
}
