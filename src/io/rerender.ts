import { parseEntitiesText } from '../core/entitiesFile.js';
import { EntityIds } from '../core/entityIds.js';
import { checkError } from '../core/errors.js';
import { validateInputs } from '../core/inputs.js';
import type { Manifest } from '../core/manifest.js';
import { renderRunbook } from '../core/render.js';
import { getScenario } from '../core/scenarios/index.js';
import type { TemplateSet } from '../core/render.js';
import type { RunbookFile } from '../core/types.js';
import { toolVersion } from './packageInfo.js';

/**
 * The entity ids of a runbook: read from its entities.txt, the one place it holds them. A file as
 * restitch writes it for the current schema is taken as it is (no string per id); anything else
 * is read id by id and validated like --entity.
 */
function entityIds(manifest: Manifest, files: readonly RunbookFile[]): { entityIds: EntityIds } | { entity: string[] } {
  const name = manifest.inputs.entitiesFile;
  if (manifest.inputs.entities !== undefined) return { entity: manifest.inputs.entities };
  if (name === null || name === undefined) return { entity: [] };
  const file = files.find((f) => f.path === name);
  if (file === undefined) throw checkError(`${name} is named in manifest.json but missing; regenerate the runbook`);
  const whole = getScenario(manifest.inputs.scenario).schema === 'current' ? EntityIds.fromFileText(file.content) : null;
  return whole && whole.count > 0 ? { entityIds: whole } : { entity: parseEntitiesText(file.content, name) };
}

/**
 * Renders the runbook a manifest describes, with today's templates, after validating its inputs
 * again; the entity ids come from the runbook's entities.txt (which the re-rendering writes again,
 * so a hand edit of it shows up as drift in the steps that carry its count and digest).
 */
export async function rerender(manifest: Manifest, templates: TemplateSet, files: readonly RunbookFile[]): Promise<RunbookFile[]> {
  const i = manifest.inputs;
  const takes = getScenario(i.scenario).options;
  const inputs = await validateInputs({
    scenario: i.scenario,
    dialect: i.dialect,
    incident: i.incident,
    ...entityIds(manifest, files),
    where: i.where ?? undefined,
    eventTimeFrom: i.eventTimeFrom ?? undefined,
    eventTimeTo: i.eventTimeTo ?? undefined,
    batchSize: takes.includes('batchSize') ? String(i.batchSize) : undefined,
    maxEvents: takes.includes('maxEvents') ? String(i.maxEvents) : undefined,
    workSchema: i.workSchema,
    deleteWhere: i.deleteWhere ?? undefined,
    reuseBackups: i.reuseBackups === true,
    // Absent in manifests written before --priority existed: those runbooks were rendered at normal priority.
    priority: i.priority ?? undefined,
  });
  return renderRunbook(inputs, templates, toolVersion()).files;
}
