/**
 * The incident registry (`<work schema>.restitch_incidents`, src/core/workTables.ts
 * incidentRegistry): which incident is changing this database. The runbook's SQL registers an
 * incident (create-working-tables) and refuses a second one (preflight) or an undo overtaken by
 * another (undo-applies); the runner refuses the same before step 1, so nothing at all is written,
 * and closes an incident once its forward run or its undo is complete.
 */
import { checkError } from '../../core/errors.js';
import { INCIDENTS_TABLE } from '../../core/workTables.js';
import { sqlQualified } from '../../core/sql.js';
import { tableExists, type Db } from '../connection/session.js';

/** One incident of the registry, as read back. */
export interface IncidentRow {
  incident: string;
  fingerprint: string;
  began_at: Date;
  closed_at: Date | null;
  closed_how: string | null;
}

type Queryable = Pick<Db, 'query'>;

/** The registry table of one work schema. */
export const registryTable = (workSchema: string): string => sqlQualified(workSchema, INCIDENTS_TABLE);

/** Every incident of the registry, oldest first; none before the table exists (no runbook of this version has run). */
export async function readIncidents(db: Queryable, workSchema: string): Promise<IncidentRow[]> {
  const table = registryTable(workSchema);
  if (!(await tableExists(db, table))) return [];
  // The registry holds one row per incident ever run on this database: a few, read whole.
  const r = await db.query<IncidentRow>(`SELECT incident, fingerprint, began_at, closed_at, closed_how FROM ${table} ORDER BY began_at, incident LIMIT 10000`);
  return r.rows;
}

/** One line naming an incident: its slug, version and when it began. */
export function describeIncident(row: IncidentRow): string {
  return `${row.incident} (version ${row.fingerprint.slice(0, 12)}, began ${new Date(row.began_at).toISOString()})`;
}

/** Pure: the open incidents other than `incident`. */
export function otherOpen(rows: readonly IncidentRow[], incident: string): IncidentRow[] {
  return rows.filter((r) => r.closed_at === null && r.incident !== incident);
}

/**
 * Refuses (exit 1, nothing written) a forward run while another incident is open on this database,
 * or once this incident was released (restitch release-incident): another may have begun since.
 */
export async function refuseOtherIncident(db: Queryable, workSchema: string, incident: string, dir: string): Promise<void> {
  const rows = await readIncidents(db, workSchema);
  const mine = rows.find((r) => r.incident === incident);
  if (mine?.closed_at && mine.closed_how?.startsWith('released')) {
    throw checkError(
      `incident ${describeIncident(mine)} was ${mine.closed_how} at ${new Date(mine.closed_at).toISOString()}, so its forward run cannot go on: another incident may have changed this database since. ` +
        `Nothing was run. To reset again, generate the runbook with another --incident`,
    );
  }
  const open = otherOpen(rows, incident);
  if (open.length === 0) return;
  throw checkError(
    `another incident is changing this database: ${open.map(describeIncident).join(', ')}. Its events may share identifiers with this one's, ` +
      `and the two would undo each other's work; nothing was run. Finish it (restitch run <its directory>) or undo it (restitch run <its directory> --undo): that closes it. ` +
      `If it was abandoned, close it with restitch release-incident ${dir} --incident ${open[0]!.incident} (recorded in the journal history), then run this again`,
  );
}

/** Closes `incident` (its forward run or its undo is complete); false when it was not open. */
export async function closeIncident(db: Queryable, workSchema: string, incident: string, how: string): Promise<boolean> {
  if ((await readIncidents(db, workSchema)).length === 0) return false;
  const r = await db.query(`UPDATE ${registryTable(workSchema)} SET closed_at = now(), closed_how = $2 WHERE incident = $1 AND closed_at IS NULL`, [incident, how]);
  return (r.rowCount ?? 0) > 0;
}
