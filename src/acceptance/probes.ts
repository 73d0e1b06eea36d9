/**
 * What the acceptance run asks each server, read-only, and how it judges the answer: the
 * settings that change how the runbook behaves, and the assumptions a query can settle. Pure
 * data per dialect; acceptance.ts runs them.
 */
import type { DialectName } from '../core/types.js';
import type { Verdict } from './report.js';

/** A session setting read with `SHOW <name>`; an unknown name (42704) is reported as unknown on that version. */
export interface SettingProbe {
  name: string;
  /** What it changes, said with its value. */
  note: string;
  /** A warning when the value changes what the runbook relies on, else null. */
  concern?: (value: string) => string | null;
}

/** A read-only query whose rows settle one assumption. */
export interface AssumptionProbe {
  subject: string;
  sql: string;
  judge: (rows: Record<string, unknown>[]) => { verdict: Verdict; detail: string };
}

const TIMEOUT_NOTE = 'the runner sets its own per step kind (--statement-timeout, --lock-timeout)';

const COMMON: SettingProbe[] = [
  { name: 'default_transaction_read_only', note: 'a read-only default makes every change fail', concern: (v) => (v === 'on' ? 'every change and batch would fail with 25006: connect as a user whose default is read-write, or to the primary' : null) },
  { name: 'statement_timeout', note: TIMEOUT_NOTE },
  { name: 'lock_timeout', note: TIMEOUT_NOTE },
  { name: 'idle_in_transaction_session_timeout', note: 'ends a session idle inside a transaction (a change step waiting on nothing is never idle)' },
  { name: 'transaction_timeout', note: 'ends a transaction running longer (PostgreSQL 17, CockroachDB v24.3); a change step is one transaction', concern: (v) => (/^0(ms|s)?$/.test(v) ? null : `transactions end after ${v}: a long change step (the multi-entity export) may not finish; raise it for the runner's user`) },
];

/**
 * CockroachDB session variables (https://www.cockroachlabs.com/docs/stable/set-vars; defaults
 * and versions from cockroachdb/cockroach pkg/sql/vars.go).
 */
const COCKROACHDB_SETTINGS: SettingProbe[] = [
  {
    name: 'allow_unsafe_internals',
    note: 'off refuses every crdb_internal builtin and all but an allow-list of crdb_internal tables with 42501 (pkg/sql/unsafesql; off by default from v26.2)',
    concern: (v) => (v === 'off' ? 'crdb_internal builtins and most crdb_internal tables are refused (42501): statements using them fail on this cluster' : null),
  },
  {
    name: 'sql_safe_updates',
    note: 'on refuses UPDATE/DELETE without WHERE and, from v24.1, SELECT ... FOR UPDATE without WHERE or LIMIT (cockroachdb/cockroach PR 121403); `cockroach sql` turns it on',
    concern: (v) => (v === 'on' ? "the runner's session refuses UPDATE/DELETE without WHERE and FOR UPDATE without WHERE or LIMIT" : null),
  },
  {
    name: 'autocommit_before_ddl',
    note: 'on commits an explicit transaction before each schema change in it (on by default from v25.1)',
    concern: (v) => (v === 'on' ? 'DDL inside BEGIN ... COMMIT commits what came before it: a step that mixes DDL and DML is not one transaction here' : null),
  },
  {
    name: 'default_transaction_isolation',
    note: 'the isolation of every transaction the runner begins',
    concern: (v) => (/serializable/i.test(v) ? null : `transactions run at ${v}, not SERIALIZABLE: the lease and the batches' retries were reasoned under SERIALIZABLE`),
  },
  { name: 'default_transaction_priority', note: 'the priority of transactions that do not ask for one (batch steps ask only with --priority high)' },
  { name: 'disallow_full_table_scans', note: 'on refuses a plan with a full scan of a table larger than large_full_scan_rows (the runner turns it on for bounded steps)' },
  { name: 'large_full_scan_rows', note: 'the table size (rows, from statistics) above which disallow_full_table_scans refuses a full scan' },
  { name: 'default_transaction_use_follower_reads', note: 'on makes every read-only transaction read stale data', concern: (v) => (v === 'on' ? 'read-only checks read the past: a check right after a change could miss it' : null) },
];

/** PostgreSQL run-time settings (https://www.postgresql.org/docs/current/runtime-config-client.html). */
const POSTGRES_SETTINGS: SettingProbe[] = [
  { name: 'server_version', note: 'the server version' },
  { name: 'default_transaction_isolation', note: 'the isolation of every transaction the runner begins (the runbook assumes read committed or stricter)' },
  { name: 'standard_conforming_strings', note: "off makes a backslash escape inside '...': the runner sets it on and proves it with SHOW" },
];

const intTypes = /^(integer|bigint|smallint|int[248]?)$/;

const COMMON_ASSUMPTIONS: AssumptionProbe[] = [
  {
    subject: 'INT / INT',
    // CockroachDB: INT / INT is DECIMAL, `//` divides integers (docs/generated/sql/operators.md).
    sql: 'SELECT CAST(pg_typeof(5 / 2) AS text) AS t',
    judge: (rows) => {
      const t = String(rows[0]?.t ?? '');
      return intTypes.test(t) ? { verdict: 'info', detail: `${t}: / divides integers here` } : { verdict: 'warn', detail: `${t}: / between integers is not integer division here (// is); a count divided with / and stored in an INT8 column fails` };
    },
  },
  {
    subject: 'INT is',
    // CockroachDB: INT is INT8 (https://www.cockroachlabs.com/docs/stable/int); node-postgres reads int8 as text.
    sql: 'SELECT CAST(pg_typeof(CAST(1 AS INT)) AS text) AS t',
    judge: (rows) => ({ verdict: 'info', detail: `${String(rows[0]?.t ?? '?')}${rows[0]?.t === 'bigint' ? ': numbers come back as text through node-postgres, and the runner parses every one' : ''}` }),
  },
];

const STATUSES = ['ACTIVE', 'IDLE', 'CLOSED'];

const COCKROACHDB_ASSUMPTIONS: AssumptionProbe[] = [
  {
    subject: 'session statuses',
    // The CPS guard counts ACTIVE and IDLE only; closed sessions stay listed as CLOSED
    // (pkg/sql/sessionprotectedts/session_protected_ts.go). SHOW CLUSTER SESSIONS stays readable
    // where allow_unsafe_internals is off.
    sql: 'SELECT status, count(*) AS n FROM [SHOW CLUSTER SESSIONS] GROUP BY status ORDER BY status',
    judge: (rows) => {
      const seen = rows.map((r) => `${String(r.status)} ${String(r.n)}`).join(', ');
      const odd = rows.map((r) => String(r.status)).filter((s) => !STATUSES.includes(s));
      return odd.length > 0
        ? { verdict: 'fail', detail: `${seen}: status ${odd.join(', ')} is none of ${STATUSES.join(', ')}; the CPS guard counts only ACTIVE and IDLE and would not see such a session` }
        : { verdict: 'info', detail: `${seen || 'none listed'} (the CPS guard counts ACTIVE and IDLE)` };
    },
  },
];

/** The settings the acceptance run reports on a server of `dialect`. */
export function settingProbes(dialect: DialectName): SettingProbe[] {
  return dialect === 'cockroachdb' ? [...COCKROACHDB_SETTINGS, ...COMMON] : [...POSTGRES_SETTINGS, ...COMMON];
}

/** The assumptions it settles on a server of `dialect`. */
export function assumptionProbes(dialect: DialectName): AssumptionProbe[] {
  return dialect === 'cockroachdb' ? [...COMMON_ASSUMPTIONS, ...COCKROACHDB_ASSUMPTIONS] : COMMON_ASSUMPTIONS;
}
