/**
 * manifest.json: the tool version, every input (so `check` can re-render), the step list and
 * a sha256 per file. Written with sorted, stable keys so it is byte-for-byte reproducible.
 */
import { createHash } from 'node:crypto';
import { ENTITIES_FILE } from './entitiesFile.js';
import { checkError } from './errors.js';
import type { Scenario } from './scenarios/index.js';
import type { RenderedStep, RunbookFile, RunbookInputs, StepKind } from './types.js';

/**
 * The inputs as manifest.json holds them: the entity ids are not inline but in `entitiesFile`
 * (entities.txt, covered by `files`), with their count.
 */
export type ManifestInputs = Omit<RunbookInputs, 'entities'> & {
  entitiesFile: string | null;
  entityCount: number;
  /** Manifests of earlier versions held the ids inline; read so that `check` can show the drift and `--force` can replace them. */
  entities?: string[];
};

/** The parsed manifest. */
export interface Manifest {
  tool: 'restitch';
  version: string;
  scenario: string;
  dialect: string;
  schema: string;
  inputs: ManifestInputs;
  steps: { file: string; kind: StepKind; title: string }[];
  undo: { file: string; kind: StepKind; title: string }[];
  /** sha256 (hex) of every file but manifest.json, by path. */
  files: Record<string, string>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const list = (steps: RenderedStep[]) => steps.map((s) => ({ file: s.file.path, kind: s.header.kind, title: s.header.title }));

export function buildManifest(args: {
  inputs: RunbookInputs;
  scenario: Scenario;
  steps: RenderedStep[];
  undo: RenderedStep[];
  files: RunbookFile[];
  toolVersion: string;
}): string {
  const files: Record<string, string> = {};
  const { inputs } = args;
  const ids = inputs.entities;
  for (const f of [...args.files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    // entities.txt was hashed once when its text was made.
    files[f.path] = f.path === ENTITIES_FILE && ids.count > 0 && f.content === ids.text() ? ids.fileSha256() : sha256(f.content);
  }
  const manifest: Manifest = {
    tool: 'restitch',
    version: args.toolVersion,
    scenario: inputs.scenario,
    dialect: inputs.dialect,
    schema: args.scenario.schema,
    inputs: {
      scenario: inputs.scenario,
      dialect: inputs.dialect,
      incident: inputs.incident,
      entitiesFile: inputs.entities.count > 0 ? ENTITIES_FILE : null,
      entityCount: inputs.entities.count,
      where: inputs.where,
      eventTimeFrom: inputs.eventTimeFrom,
      eventTimeTo: inputs.eventTimeTo,
      batchSize: inputs.batchSize,
      maxEvents: inputs.maxEvents,
      workSchema: inputs.workSchema,
      deleteWhere: inputs.deleteWhere,
      reuseBackups: inputs.reuseBackups,
      priority: inputs.priority ?? 'normal',
    },
    steps: list(args.steps),
    undo: list(args.undo),
    files,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Reads manifest.json text; `where` names it in errors (exit 1: the runbook is not usable). */
export function parseManifest(text: string, where: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw checkError(`${where}: not valid JSON (${(error as Error).message}); regenerate the runbook`);
  }
  const m = data as Partial<Manifest> | null;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.tool === 'restitch' &&
    typeof m.version === 'string' &&
    typeof m.inputs === 'object' &&
    m.inputs !== null &&
    Array.isArray(m.steps) &&
    Array.isArray(m.undo) &&
    typeof m.files === 'object' &&
    m.files !== null;
  if (!ok) throw checkError(`${where}: not a restitch manifest (missing tool, version, inputs, steps or files)`);
  const bad = badFields(m as Manifest);
  if (bad.length > 0) throw checkError(`${where}: ${bad.join(', ')} missing or of the wrong type; regenerate the runbook`);
  return m as Manifest;
}

/** The fields a manifest needs to be re-rendered and run, named as `inputs.batchSize`, `steps[2].kind`. */
function badFields(m: Manifest): string[] {
  const bad: string[] = [];
  const i = m.inputs as unknown as Record<string, unknown>;
  for (const [key, type] of [['scenario', 'string'], ['dialect', 'string'], ['incident', 'string'], ['workSchema', 'string'], ['batchSize', 'number'], ['maxEvents', 'number']] as const) {
    if (typeof i[key] !== type) bad.push(`inputs.${key}`);
  }
  if (!Array.isArray(i.entities)) {
    if (i.entitiesFile !== null && i.entitiesFile !== ENTITIES_FILE) bad.push('inputs.entitiesFile');
    if (!Number.isSafeInteger(i.entityCount)) bad.push('inputs.entityCount');
  } else if (!i.entities.every((e) => typeof e === 'string')) bad.push('inputs.entities');
  for (const key of ['where', 'eventTimeFrom', 'eventTimeTo', 'deleteWhere']) {
    if (i[key] != null && typeof i[key] !== 'string') bad.push(`inputs.${key}`);
  }
  if (typeof m.schema !== 'string') bad.push('schema');
  for (const [name, list] of [['steps', m.steps], ['undo', m.undo]] as const) {
    list.forEach((s, n) => {
      for (const key of ['file', 'kind', 'title'] as const) if (typeof (s as unknown as Record<string, unknown> | null)?.[key] !== 'string') bad.push(`${name}[${n}].${key}`);
    });
  }
  return bad;
}

/**
 * The incident record `restitch report` writes into a runbook directory by default, for check-in
 * beside the runbook. They are not part of the runbook: check, run and diff read past them.
 */
export const INCIDENT_RECORD_FILES = { markdown: 'RUN-REPORT.md', timeline: 'RUN-REPORT-timeline.svg' } as const;

/** A top-level path of a runbook directory that holds its incident record. */
export function isIncidentRecord(path: string): boolean {
  return path === INCIDENT_RECORD_FILES.markdown || path === INCIDENT_RECORD_FILES.timeline;
}
