/**
 * CockroachDB versions as the lane emulates them: which of the behaviours restitch depends on are
 * on. The default is the newest, so every lane test runs under today's rules; tests pick an older
 * profile where the behaviour differs. Sources for each flag are in docs/cockroachdb.md.
 */

/** One CockroachDB version's behaviour, as far as the lane emulates it. */
export interface LaneProfile {
  /** `vMAJOR.MINOR`, answered by `SELECT version()`. */
  version: string;
  /**
   * `allow_unsafe_internals` (new in v25.4, default on; default off from v26.2): when false,
   * crdb_internal builtins outside CRDB_INTERNAL_BUILTINS and crdb_internal tables outside
   * CRDB_INTERNAL_TABLES are refused with 42501 when the statement is planned, whichever CASE
   * branch they stand in (cockroachdb/cockroach PR 151887, PR 151804, pkg/sql/unsafesql).
   */
  allowUnsafeInternals: boolean;
  /**
   * `sql_safe_updates` (on in `cockroach sql`) also refuses `SELECT ... FOR UPDATE/SHARE` with
   * neither WHERE nor LIMIT: from v24.1 (cockroachdb/cockroach PR 121403, issue 110131).
   */
  safeUpdatesLocking: boolean;
  /**
   * `autocommit_before_ddl` defaults to on from v25.1 (added, off, in v24.1): a schema change sent
   * inside an explicit transaction commits that transaction first and runs on its own
   * (https://www.cockroachlabs.com/docs/v25.1/session-variables).
   */
  autocommitBeforeDdl: boolean;
  /**
   * EXPLAIN of an INSERT/UPDATE/DELETE is refused in a read-only session or transaction before
   * v25.3 (cockroachdb/cockroach issue 103754, fixed by PR 149449).
   */
  refusesExplainOfChangeReadOnly: boolean;
}

export const LANE_PROFILES = {
  'v23.2': { version: 'v23.2.0', allowUnsafeInternals: true, safeUpdatesLocking: false, autocommitBeforeDdl: false, refusesExplainOfChangeReadOnly: true },
  'v24.3': { version: 'v24.3.0', allowUnsafeInternals: true, safeUpdatesLocking: true, autocommitBeforeDdl: false, refusesExplainOfChangeReadOnly: true },
  'v25.4': { version: 'v25.4.0', allowUnsafeInternals: true, safeUpdatesLocking: true, autocommitBeforeDdl: true, refusesExplainOfChangeReadOnly: false },
  'v26.2': { version: 'v26.2.0', allowUnsafeInternals: false, safeUpdatesLocking: true, autocommitBeforeDdl: true, refusesExplainOfChangeReadOnly: false },
} as const satisfies Record<string, LaneProfile>;

/** The newest profile: every lane test's default. */
export const DEFAULT_PROFILE: LaneProfile = LANE_PROFILES['v26.2'];

/** What `SELECT version()` answers under `profile`. */
export const laneVersion = (profile: LaneProfile): string =>
  `CockroachDB CCL ${profile.version} (x86_64-pc-linux-gnu, built 2026/01/01 00:00:00, go1.23.12)`;

export { CRDB_INTERNAL_BUILTINS, CRDB_INTERNAL_TABLES } from '../../src/core/dialects/crdbInternalAllowList.js';
