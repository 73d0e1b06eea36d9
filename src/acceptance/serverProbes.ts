/**
 * The probes that concern the server rather than a step: its settings, the assumptions a query
 * settles, the CPS guard (its user sees other users' sessions; no 'Meiro CPS' session is
 * connected) and the grants the steps need. All read-only, on the runner's own session.
 */
import { sessionVisibilityQuery, type Dialect } from '../core/dialects/index.js';
import { sqlIdent } from '../core/sql.js';
import type { Db } from '../runner/connection/session.js';
import { addNeed, grantFor, privilegeQuery, type PrivilegeNeed } from './privileges.js';
import { assumptionProbes, settingProbes } from './probes.js';
import type { AcceptanceItem } from './report.js';
import type { StepTables } from './stepTables.js';
import { isPlatformTable } from './tables.js';

type Row = Record<string, unknown>;

/** The error's message with its SQLSTATE. */
export function errorText(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return `${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`;
}

/** `SHOW <name>` for every setting that changes behaviour; an unknown one (42704) is said so. */
export async function settingItems(db: Db, dialect: Dialect): Promise<AcceptanceItem[]> {
  const items: AcceptanceItem[] = [];
  for (const probe of settingProbes(dialect.name)) {
    try {
      const value = String(Object.values((await db.query<Row>(`SHOW ${probe.name}`)).rows[0] ?? {})[0] ?? '');
      const concern = probe.concern?.(value) ?? null;
      items.push({ area: 'setting', verdict: concern ? 'warn' : 'info', subject: `${probe.name} = ${value}`, detail: concern ?? probe.note });
    } catch (error) {
      const unknown = (error as { code?: string }).code === '42704';
      items.push({ area: 'setting', verdict: unknown ? 'info' : 'warn', subject: probe.name, detail: unknown ? `unknown on this server version (${probe.note})` : `cannot be read: ${errorText(error)}` });
    }
  }
  return items;
}

export async function assumptionItems(db: Db, dialect: Dialect): Promise<AcceptanceItem[]> {
  const items: AcceptanceItem[] = [];
  for (const probe of assumptionProbes(dialect.name)) {
    try {
      items.push({ area: 'assumption', subject: probe.subject, ...probe.judge((await db.query<Row>(probe.sql)).rows) });
    } catch (error) {
      items.push({ area: 'assumption', verdict: 'fail', subject: probe.subject, detail: `${probe.sql} failed: ${errorText(error)}` });
    }
  }
  return items;
}

/**
 * The runner's own CPS guard, evaluated now: its user sees other users' sessions, and no 'Meiro
 * CPS' session is connected. It fails only where the run has steps the guard protects (`guarded`).
 */
export async function sessionItems(db: Db, dialect: Dialect, guarded: boolean): Promise<AcceptanceItem[]> {
  const items = await guardItems(db, dialect);
  return guarded ? items : items.map((i) => (i.verdict === 'fail' ? { ...i, verdict: 'info', detail: `${i.detail} (no step of this run needs CPS stopped)` } : i));
}

async function guardItems(db: Db, dialect: Dialect): Promise<AcceptanceItem[]> {
  const items: AcceptanceItem[] = [];
  const vis = dialect.server.sessionVisibility;
  if (vis) {
    try {
      const row = (await db.query<{ visible: unknown; who: unknown }>(sessionVisibilityQuery(vis))).rows[0];
      const who = sqlIdent(String(row?.who ?? '<user>'));
      items.push(row?.visible === true
        ? { area: 'sessions', verdict: 'info', subject: "this user sees other users' sessions", detail: 'the CPS guard can see a CPS session' }
        : { area: 'sessions', verdict: 'fail', subject: "this user sees other users' sessions", detail: `no: ${who} sees only its own sessions, so the CPS guard would pass while CPS runs. Ask for: ${vis.grant.replaceAll('<user>', who)}` });
    } catch (error) {
      items.push({ area: 'sessions', verdict: 'fail', subject: "this user sees other users' sessions", detail: `the query failed: ${errorText(error)}` });
    }
  }
  try {
    const n = Number((await db.query<{ n: unknown }>(dialect.server.cpsSessionsQuery)).rows[0]?.n ?? 0);
    items.push(n === 0
      ? { area: 'sessions', verdict: 'info', subject: "no 'Meiro CPS' session is connected", detail: 'none' }
      : { area: 'sessions', verdict: 'fail', subject: "no 'Meiro CPS' session is connected", detail: `${n} connected: nothing may change while profile stitching runs; disable the CPS component and wait for its runs to end` });
  } catch (error) {
    items.push({ area: 'sessions', verdict: 'fail', subject: "no 'Meiro CPS' session is connected", detail: `the runner's CPS guard fails here: ${errorText(error)}` });
  }
  return items;
}

/** The grants on platform tables (and CREATE on the work schema) that the steps need, each proven or named. */
export async function privilegeItems(db: Db, dialect: Dialect, tables: readonly StepTables[], workSchema: string): Promise<AcceptanceItem[]> {
  const needs: PrivilegeNeed[] = [];
  for (const t of tables) {
    const n = t.step.header.number;
    for (const r of t.reads) if (isPlatformTable(r, workSchema)) addNeed(needs, 'SELECT', r, 'table', n);
    for (const w of t.writes) if (isPlatformTable(w.table, workSchema)) addNeed(needs, w.privilege, w.table, 'table', n);
    if (t.defines.some((d) => d.startsWith(`${workSchema.toLowerCase()}.`))) addNeed(needs, 'CREATE', workSchema, 'schema', n);
  }
  if (needs.length === 0) return [];
  const facts = (await db.query<{ e: unknown; d: unknown }>('SELECT (SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1) > 0 AS e, current_database() AS d', [workSchema])).rows[0];
  const schemaExists = facts?.e === true;
  const database = String(facts?.d ?? '');
  const items: AcceptanceItem[] = [];
  for (const need of needs) {
    const subject = `${need.privilege} on ${need.kind === 'schema' && !schemaExists ? `database ${database} (the work schema ${need.on} does not exist yet)` : `${need.kind} ${need.on}`}`;
    const steps = `step${need.steps.length > 1 ? 's' : ''} ${need.steps.join(', ')}`;
    try {
      const q = privilegeQuery(dialect.name, need, schemaExists, database);
      const row = (await db.query<{ ok: unknown; who: unknown }>(q.sql, q.params)).rows[0];
      items.push(row?.ok === true
        ? { area: 'privilege', verdict: 'info', subject, detail: `granted (${steps})` }
        : { area: 'privilege', verdict: 'fail', subject, detail: `missing: ${steps} need${need.steps.length > 1 ? '' : 's'} it. Ask for: ${grantFor(need, String(row?.who ?? '<user>'), schemaExists, database)}` });
    } catch (error) {
      items.push({ area: 'privilege', verdict: 'fail', subject, detail: `cannot be proven (${steps}): ${errorText(error)}` });
    }
  }
  return items;
}
