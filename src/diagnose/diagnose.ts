/**
 * Runs the diagnosis over a small database interface: one read-only session, the stages of the
 * schema (currentStages.ts, legacyStages.ts), findings out. Takes any `Db` (pg.Client satisfies
 * it); opens nothing itself.
 */
import { currentCostLine, currentStages } from './currentStages.js';
import * as q from './diagnoseSql.js';
import { sortFindings, type Finding } from './finding.js';
import { LEGACY_ESTIMATES, legacyCostLine, legacyStages } from './legacyStages.js';
import { num, type Db, type DiagnoseOptions, type Stage } from './stageKit.js';

export { DEFAULT_DIAGNOSE_OPTIONS, type Db, type DiagnoseOptions, type DiagnoseSchema } from './stageKit.js';

/** The findings, worst first, and the stages not run when `maxSeconds` ran out. */
export interface Diagnosis {
  findings: Finding[];
  skipped: string[];
  /** What makes the findings no clean bill (a --payload-field no sampled event has). */
  warnings: string[];
}

/**
 * Every finding on the schema, worst first. The caller owns the connection; this runs in one
 * read-only transaction and rolls it back.
 */
export async function diagnose(db: Db, o: DiagnoseOptions): Promise<Diagnosis> {
  const now = o.now ?? Date.now;
  const deadline = o.maxSeconds === undefined ? Infinity : now() + o.maxSeconds * 1000;
  const session = q.SESSIONS[o.dialect];
  for (const statement of session.begin(o.timeoutMs)) await db.query(statement);
  try {
    const legacy = o.schema === 'legacy';
    // The legacy schema is PostgreSQL's only (legacy-steps); its estimates read pg_class too.
    const estimateSql = legacy ? (o.dialect === 'postgres' ? LEGACY_ESTIMATES : null) : session.estimates;
    const estimates = estimateSql === null ? [] : (await db.query<{ name: string; rows: unknown }>(estimateSql)).rows.map((r) => ({ name: r.name, rows: num(r.rows) }));
    o.onCost?.(legacy ? legacyCostLine(estimates, o) : currentCostLine(estimates, o));
    const findings: Finding[] = [];
    const warnings: string[] = [];
    const stages: Stage[] = legacy ? legacyStages(db, o, findings, warnings) : currentStages(db, o, findings);
    const skipped: string[] = [];
    for (const [name, stage] of stages) {
      if (now() >= deadline) skipped.push(name);
      else findings.push(...(await stage()));
    }
    return { findings: sortFindings(findings), skipped, warnings };
  } finally {
    await db.query('ROLLBACK');
  }
}
