/** The incident record of a runbook: its steps (forward and undo) and what the database recorded about them. */
import type { Manifest } from '../core/manifest.js';
import { loadSteps } from '../core/steps.js';
import type { RunbookFile } from '../core/types.js';
import type { Db } from '../runner/connection/session.js';
import { undoId, type IncidentRecord, type RecordStep } from './incidentRecord.js';
import { readRecord } from './readRecord.js';

export async function buildRecord(db: Db, manifest: Manifest, files: readonly RunbookFile[]): Promise<IncidentRecord> {
  const { incident, workSchema } = manifest.inputs;
  const steps: RecordStep[] = [];
  for (const [runbook, undo] of [[incident, false], [undoId(incident), true]] as const) {
    if ((undo ? manifest.undo : manifest.steps).length === 0) continue;
    for (const s of loadSteps(manifest, files, undo)) steps.push({ runbook, number: s.header.number, kind: s.header.kind, title: s.header.title });
  }
  const read = await readRecord(db, workSchema, [incident, undoId(incident)]);
  return { incident, scenario: manifest.scenario, dialect: manifest.dialect, workSchema, steps, ...read };
}
