/**
 * What of `crdb_internal` a session may still use with `allow_unsafe_internals` off (default off
 * from v26.2; the setting exists from v25.4). The check is `CheckInternalsAccess` in
 * cockroachdb/cockroach pkg/sql/unsafesql/unsafesql.go; PR 151887 refuses the builtins, PR 151804
 * the tables. One list for lint (src/lint/crdbRules.ts) and the CockroachDB lane's emulation.
 */

/**
 * The builtins still allowed: the locked list SupportedCRDBInternalBuiltins (pkg/sql/opt/optbuilder,
 * its test TestSupportedCRDBInternalBuiltinsNotChanged). No runbook needs any of them.
 */
export const CRDB_INTERNAL_BUILTINS: ReadonlySet<string> = new Set(['datums_to_bytes', 'increment_feature_counter', 'deserialize_session']);

/**
 * The tables still readable: those the docs mark supported for production use (cockroachdb/docs
 * src/current/v26.1/crdb-internal.md, "Access control"). `zones` is left out: unsafesql_test.go
 * reads it as supported, the docs mark it unsupported, and nothing here reads it, so the stricter
 * reading stands.
 */
export const CRDB_INTERNAL_TABLES: ReadonlySet<string> = new Set([
  'cluster_contended_indexes',
  'cluster_contended_keys',
  'cluster_contended_tables',
  'cluster_contention_events',
  'cluster_locks',
  'cluster_queries',
  'cluster_sessions',
  'cluster_transactions',
  'index_usage_statistics',
  'statement_statistics',
  'transaction_contention_events',
  'transaction_statistics',
]);
