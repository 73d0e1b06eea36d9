/**
 * Turns what a user typed into validated RunbookInputs, or one clear error (exit 2).
 * Pure: the CLI reads the entities file and passes its text here.
 */
import { DIALECT_NAMES, getDialect, type Dialect } from './dialects/index.js';
import { EntityIds } from './entityIds.js';
import type { Spans } from './idSort.js';
import { inputError } from './errors.js';
import { getScenario, supportedPairs, type ScenarioOption } from './scenarios/index.js';
import type { DialectName, RunbookInputs } from './types.js';
import { validateWhere } from './where.js';

/** Options as the CLI received them (strings, not yet checked). */
export interface RawGenerateOptions {
  scenario: string;
  dialect?: string;
  incident?: string;
  entity?: string[];
  /** Content of --entities-file, with its path for messages. */
  entitiesFile?: { path: string; content: string };
  /** The ids of a runbook's own entities.txt, read back (re-rendering it); instead of entity and entitiesFile. */
  entityIds?: EntityIds;
  where?: string;
  eventTimeFrom?: string;
  eventTimeTo?: string;
  batchSize?: string;
  maxEvents?: string;
  workSchema?: string;
  deleteWhere?: string;
  /** The former bare flag, refused: it deleted every event of the entities. */
  deleteEvents?: boolean;
  reuseBackups?: boolean;
  priority?: string;
}

export const DEFAULT_MAX_EVENTS = 1_000;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const FORBIDDEN_SCHEMAS = new Set(['public', 'pg_catalog', 'information_schema', 'crdb_internal', 'pg_extension', 'cdp_ce', 'cdp_ps', 'cdp_attr']);

/** The flags that set each scenario option (for messages and help). */
export const OPTION_FLAGS: Record<ScenarioOption, string> = {
  entities: '--entity/--entities-file',
  where: '--where',
  eventTime: '--event-time-from/--event-time-to',
  batchSize: '--batch-size',
  maxEvents: '--max-events',
  deleteWhere: '--delete-where',
};

function positiveInt(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > max) {
    throw inputError(`${flag} must be a whole number from 1 to ${max}, not '${raw}'`);
  }
  return Number(raw);
}

/** Date.parse rolls 2026-02-30 over to March and takes year 0: check each field against the calendar. */
function isCalendarTime(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return y >= 1 && d >= 1 && d <= days && h <= 23 && mi <= 59 && sec <= 59;
}

function isoTime(flag: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const value = raw.trim();
  if (!ISO.test(value) || Number.isNaN(Date.parse(value)) || !isCalendarTime(value)) {
    throw inputError(`${flag} must be an ISO 8601 date or time such as 2026-11-01T00:00:00Z, not '${raw}'`);
  }
  return inUtcWhenZoneless(value);
}

/**
 * A time without an offset would be read in the session's TimeZone, which psql, `cockroach sql`
 * and the runner need not share (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES;
 * https://www.cockroachlabs.com/docs/stable/timestamp): such a value is taken as UTC and written
 * with `Z`, so every session reads the same instant. A date alone is its midnight UTC.
 */
function inUtcWhenZoneless(value: string): string {
  if (/(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10) return value;
  return value.length === 10 ? `${value}T00:00:00Z` : `${value.replace(' ', 'T')}Z`;
}

function entityId(raw: string, legacy: boolean, where: string): string {
  const id = EDGE_SPACE.test(raw) ? raw.trim() : raw;
  if (legacy) {
    if (!UUID.test(id)) throw inputError(`${where}: '${raw}' is not a UUID (the legacy schema keys entities by UUID)`);
    return id.toLowerCase();
  }
  if (id.length === 0 || id.length > 200 || /[\s\p{Cc}]/u.test(id)) {
    throw inputError(`${where}: entity id '${raw}' ${ENTITY_RULE}`);
  }
  return id;
}

/** Whitespace at either end of a line (what trim() would take off). */
const EDGE_SPACE = /^\s|\s$/;

const ENTITY_RULE = 'must be 1 to 200 characters without spaces or control characters';

/**
 * The ids of a list file that is ASCII throughout, as spans of its text (no string per id): blank
 * lines and # comments skipped, `\#` for an id that starts with #, ASCII blanks trimmed; null when
 * the text holds anything else (then it is read line by line as strings). The same rules as
 * entityId, for these characters.
 */
function asciiListSpans(content: string, path: string): Spans | null {
  if (/[^\x00-\x7f]/.test(content)) return null;
  let lines = 1;
  for (let at = content.indexOf('\n'); at !== -1; at = content.indexOf('\n', at + 1)) lines++;
  const start = new Uint32Array(lines);
  const end = new Uint32Array(lines);
  let count = 0;
  const blank = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
  for (let at = 0, line = 1; at < content.length; line++) {
    const stop = content.indexOf('\n', at);
    let a = at;
    let b = stop === -1 ? content.length : stop;
    at = b + 1;
    while (a < b && blank(content.charCodeAt(a))) a++;
    while (b > a && blank(content.charCodeAt(b - 1))) b--;
    if (a === b || content.charCodeAt(a) === 0x23) continue;
    if (content.charCodeAt(a) === 0x5c && content.charCodeAt(a + 1) === 0x23) a++;
    let ok = b - a <= 200;
    for (let k = a; k < b && ok; k++) {
      const c = content.charCodeAt(k);
      ok = c >= 0x21 && c <= 0x7e;
    }
    if (!ok) throw inputError(`${path} line ${line}: entity id '${content.slice(a, b)}' ${ENTITY_RULE}`);
    start[count] = a;
    end[count] = b;
    count++;
  }
  return { bytes: Buffer.from(content, 'latin1'), start, end, count };
}

function collectEntities(raw: RawGenerateOptions, legacy: boolean): EntityIds {
  const ids: string[] = (raw.entity ?? []).map((e) => entityId(e, legacy, '--entity'));
  if (raw.entitiesFile) {
    const { path, content } = raw.entitiesFile;
    const spans = legacy || ids.length > 0 ? null : asciiListSpans(content, path);
    if (spans) {
      if (spans.count === 0) throw noIds(path);
      return EntityIds.fromSpans(spans);
    }
    for (let start = 0, line = 1; start < content.length; line++) {
      const end = content.indexOf('\n', start);
      const rawLine = content.slice(start, end === -1 ? content.length : end);
      start = end === -1 ? content.length : end + 1;
      const text = EDGE_SPACE.test(rawLine) ? rawLine.trim() : rawLine;
      if (text === '' || text.startsWith('#')) continue;
      // An id that starts with # is written \# so it is not taken for a comment.
      ids.push(entityId(text.startsWith('\\#') ? text.slice(1) : text, legacy, `${path} line ${line}`));
    }
    if (ids.length === 0) throw noIds(path);
  }
  // Sorted as entities.txt holds them, so a runbook re-rendered from that file is the same.
  return EntityIds.of(ids);
}

function noIds(path: string): Error {
  return inputError(`${path} holds no entity id (one id a line; blank lines and # comments are skipped; write \\# for an id that starts with #)`);
}

/**
 * --priority: NORMAL unless asked. HIGH exists on CockroachDB only, for batch steps only, and
 * is discouraged there (it pushes concurrent writers into retries):
 * https://www.cockroachlabs.com/docs/stable/set-transaction
 */
function priority(raw: string | undefined, dialect: Dialect, hasBatches: boolean): 'normal' | 'high' {
  if (raw === undefined || raw === 'normal') return 'normal';
  if (raw !== 'high') throw inputError(`--priority must be normal or high, not '${raw}'`);
  if (!dialect.supportsTransactionPriority) throw inputError(`--priority high does not exist on ${dialect.label}`);
  if (!hasBatches) throw inputError('--priority high applies to batch steps; this scenario has none');
  return 'high';
}

/** Validates raw options into inputs; throws RestitchError (exit 2) on the first problem. */
export async function validateInputs(raw: RawGenerateOptions): Promise<RunbookInputs> {
  const scenario = getScenario(raw.scenario);
  if (raw.dialect === undefined) throw inputError(`--dialect is required (${DIALECT_NAMES.join(' or ')})`);
  const dialect = getDialect(raw.dialect);
  if (!scenario.dialects.includes(dialect.name)) {
    throw inputError(`${scenario.name} is not supported on ${dialect.name}; supported pairs: ${supportedPairs().join(', ')}`);
  }
  if (raw.incident === undefined) throw inputError('--incident is required: a slug such as 2026-11-none-identifier');
  if (!SLUG.test(raw.incident) || raw.incident.length > 32) {
    throw inputError(`--incident '${raw.incident}' must be lower-case letters and digits joined by single '-', at most 32 characters`);
  }
  if (raw.deleteEvents === true) {
    throw inputError('--delete-events is replaced by --delete-where SQL: the condition that chooses which events of the entities Step 0 deletes');
  }
  const given: [ScenarioOption, boolean][] = [
    ['entities', (raw.entity?.length ?? 0) > 0 || raw.entitiesFile !== undefined || raw.entityIds !== undefined],
    ['where', raw.where !== undefined],
    ['eventTime', raw.eventTimeFrom !== undefined || raw.eventTimeTo !== undefined],
    ['batchSize', raw.batchSize !== undefined],
    ['maxEvents', raw.maxEvents !== undefined],
    ['deleteWhere', raw.deleteWhere !== undefined],
  ];
  for (const [option, present] of given) {
    if (present && !scenario.options.includes(option)) {
      const takes = scenario.options.map((o) => OPTION_FLAGS[o]).join(', ') || 'no option';
      throw inputError(`${OPTION_FLAGS[option]} does not apply to ${scenario.name} (it takes ${takes})`);
    }
  }
  const workSchema = (raw.workSchema ?? scenario.defaultWorkSchema).trim();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(workSchema) || FORBIDDEN_SCHEMAS.has(workSchema) || workSchema.startsWith('pg_')) {
    throw inputError(`--work-schema '${workSchema}' must be a lower-case name of its own (not public, a system or a platform schema)`);
  }
  const inputs: RunbookInputs = {
    scenario: scenario.name,
    dialect: dialect.name as DialectName,
    incident: raw.incident,
    entities: raw.entityIds ?? collectEntities(raw, scenario.schema === 'legacy'),
    where: raw.where === undefined ? null : await validateWhere(raw.where),
    eventTimeFrom: isoTime('--event-time-from', raw.eventTimeFrom),
    eventTimeTo: isoTime('--event-time-to', raw.eventTimeTo),
    batchSize: positiveInt('--batch-size', raw.batchSize, dialect.defaultBatchSize, 1_000_000),
    maxEvents: positiveInt('--max-events', raw.maxEvents, DEFAULT_MAX_EVENTS, 1_000_000),
    workSchema,
    deleteWhere: raw.deleteWhere === undefined ? null : await validateWhere(raw.deleteWhere, '--delete-where'),
    reuseBackups: raw.reuseBackups === true,
    priority: priority(raw.priority, dialect, scenario.options.includes('batchSize')),
  };
  if (inputs.eventTimeFrom && inputs.eventTimeTo && Date.parse(inputs.eventTimeFrom) >= Date.parse(inputs.eventTimeTo)) {
    throw inputError(`--event-time-from (${inputs.eventTimeFrom}) must be before --event-time-to (${inputs.eventTimeTo})`);
  }
  if (scenario.options.includes('entities') && scenario.schema === 'current' && inputs.entities.count === 0) {
    throw inputError(`${scenario.name} needs at least one entity: --entity ID (repeatable) or --entities-file PATH`);
  }
  scenario.validate?.(inputs);
  return inputs;
}
