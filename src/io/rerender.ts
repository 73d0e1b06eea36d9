import { validateInputs } from '../core/inputs.js';
import type { Manifest } from '../core/manifest.js';
import { renderRunbook } from '../core/render.js';
import { getScenario } from '../core/scenarios/index.js';
import type { TemplateSet } from '../core/render.js';
import type { RunbookFile } from '../core/types.js';
import { toolVersion } from './packageInfo.js';

/** Renders the runbook a manifest describes, with today's templates, after validating its inputs again. */
export async function rerender(manifest: Manifest, templates: TemplateSet): Promise<RunbookFile[]> {
  const i = manifest.inputs;
  const takes = getScenario(i.scenario).options;
  const inputs = await validateInputs({
    scenario: i.scenario,
    dialect: i.dialect,
    incident: i.incident,
    entity: i.entities,
    where: i.where ?? undefined,
    eventTimeFrom: i.eventTimeFrom ?? undefined,
    eventTimeTo: i.eventTimeTo ?? undefined,
    batchSize: takes.includes('batchSize') ? String(i.batchSize) : undefined,
    maxEvents: takes.includes('maxEvents') ? String(i.maxEvents) : undefined,
    workSchema: i.workSchema,
    deleteWhere: i.deleteWhere ?? undefined,
    reuseBackups: i.reuseBackups === true,
  });
  return renderRunbook(inputs, templates, toolVersion()).files;
}
