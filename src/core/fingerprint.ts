/**
 * The fingerprint of a runbook version: sha256 of its inputs but the dialect, the batch size and
 * the priority, as canonical JSON
 * (keys sorted). The dialect is left out: a database is of one dialect, and the same inputs back
 * up the same rows in either.
 * It is rendered into the SQL as a literal, so the working tables can be stamped with the version
 * that uses them. It cannot be the manifest's checksum: the manifest holds every file's checksum,
 * and a file cannot hold a checksum of itself. The inputs are in manifest.json for anyone to
 * recompute it.
 */
import { sha256 } from './manifest.js';
import type { RunbookInputs } from './types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function inputsFingerprint(inputs: RunbookInputs): string {
  // Nor how the rows are walked: batch size (whose default is the dialect's) and priority change
  // no backed-up row, and a run may be regenerated with another size and resume.
  const { dialect: _dialect, batchSize: _batchSize, priority: _priority, entities, ...rest } = inputs;
  // The ids by their digest (as the entities-loaded check has it), not a second JSON copy of them.
  return sha256(JSON.stringify(canonical({ ...rest, entities: entities.digest() })));
}

/**
 * The fingerprint of which rows a runbook backs up and changes: the scenario, the chosen
 * entities (their digest), the event filter (--where, the event-time window) and
 * --delete-where. Two versions with the same scope may share working tables (--reuse-backups);
 * two with different scopes may not where a batch walk resumes after the highest key it has
 * done (current schema): a key the other version did not choose, added below that mark, would
 * never be visited, and its events would stay stitched to identifiers no entity holds.
 */
export function scopeFingerprint(inputs: RunbookInputs): string {
  const { scenario, entities, where, eventTimeFrom, eventTimeTo, deleteWhere } = inputs;
  return sha256(JSON.stringify(canonical({ scenario, entities: entities.digest(), where, eventTimeFrom, eventTimeTo, deleteWhere })));
}
