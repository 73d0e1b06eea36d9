/**
 * `restitch release-incident`: closes an incident that was abandoned (its runbook will be neither
 * finished nor undone), so that another incident may change the database. Modelled on
 * `restitch release-lease` (src/runner/lease/releaseLease.ts): it shows the incident, refuses
 * while a run of it holds its lease and heartbeats, asks (or takes `--yes`), closes that
 * incident's row only, and records the release in the journal's history (status
 * `incident-released`). An undo of a released incident is still refused once another incident
 * has begun (undo-applies): what was reset stays reset, the way back is forward.
 */
import { checkError } from '../../core/errors.js';
import { Journal } from '../journal.js';
import { historyTable, releasedRow } from '../history/journalHistory.js';
import { whoAmI } from '../history/who.js';
import { describeHolder, isLive, LeaseTable } from '../lease/lease.js';
import { confirmRelease } from '../prompt/confirmRelease.js';
import { connectChecked } from '../runner.js';
import type { RunbookSource, RunDeps } from '../types.js';
import { describeIncident, readIncidents, registryTable, type IncidentRow } from './incidentRegistry.js';

/** What release-incident did: the incident it found open (null: none), and whether it closed it. */
export interface ReleaseIncidentReport {
  incident: IncidentRow | null;
  released: boolean;
  interrupted?: boolean;
}

/** Closes `incident` (default: the runbook's own) in the runbook's work schema, after asking. */
export async function releaseIncident(
  source: RunbookSource,
  incident: string | undefined,
  yes: boolean,
  deps: Pick<RunDeps, 'connect' | 'ui' | 'signal'>,
): Promise<ReleaseIncidentReport> {
  const { workSchema } = source.manifest.inputs;
  const slug = incident ?? source.manifest.inputs.incident;
  const { db } = await connectChecked(deps, source.manifest);
  try {
    const row = (await readIncidents(db, workSchema)).find((r) => r.incident === slug && r.closed_at === null) ?? null;
    if (!row) {
      deps.ui.say(`incident ${slug} is not open in ${registryTable(workSchema)}: nothing to release`);
      return { incident: null, released: false };
    }
    const holder = await new LeaseTable(db, workSchema, slug).holder();
    if (holder && isLive(holder)) {
      throw checkError(`a run of incident ${slug} is running now (${describeHolder(holder)}): let it finish, or stop it; the incident was kept open`);
    }
    deps.ui.say(`incident ${describeIncident(row)} is open: it has not finished its forward run nor its undo`);
    deps.ui.say(`WARNING: release only an incident that will be neither finished nor undone. Once another incident begins, its undo is refused`);
    const how = await confirmRelease(deps, yes, `Release incident ${slug}?`, 'the incident was kept open');
    if (how === 'interrupted') return { incident: row, released: false, interrupted: true };
    const who = whoAmI();
    const closed = await db.query(
      `UPDATE ${registryTable(workSchema)} SET closed_at = now(), closed_how = $2 WHERE incident = $1 AND closed_at IS NULL`,
      [slug, `released by restitch release-incident (${who.osUser}@${who.host})`],
    );
    if (closed.rowCount === 0) throw checkError(`incident ${slug} was closed while asking (its run or undo completed): nothing was done`);
    await new Journal(db, workSchema, slug, row.fingerprint).ensure();
    await db.query(releasedRow(historyTable(workSchema), 'incident-released'), [slug, row.fingerprint, 0, `incident ${slug} released by restitch release-incident`, how, who.osUser, who.host, null]);
    deps.ui.say(`released incident ${slug}; recorded in ${historyTable(workSchema)}`);
    return { incident: row, released: true };
  } finally {
    await db.close();
  }
}
