/**
 * plan -> render -> files as strings. Deterministic: the same inputs and templates give the
 * same bytes (no clock, no randomness, no environment).
 */
import Handlebars from 'handlebars';
import { buildContext, type RenderContext } from './context.js';
import { getDialect, type Dialect } from './dialects/index.js';
import { ENTITIES_FILE } from './entitiesFile.js';
import { formatDuration, formatHeader, wrapNote } from './directives.js';
import { buildManifest } from './manifest.js';
import { renderMarkdown } from './markdown.js';
import { identifierWalkByHand, identifierWalkFloor, identifierWalkProgress } from './identifierWalk.js';
import { getScenario, type StepSpec } from './scenarios/index.js';
import { sqlLiteral } from './sql.js';
import type { RenderedStep, Runbook, RunbookFile, RunbookInputs } from './types.js';

/** Template sources keyed by path under templates/, e.g. `steps/current/oneshot.sql.hbs`. */
export type TemplateSet = Readonly<Record<string, string>>;

function environment(templates: TemplateSet, dialect: Dialect, t: Record<string, string>): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('lit', (value: unknown) => sqlLiteral(String(value)));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // The key before every key of a keyset walk: the nil UUID, or '' for text keys.
  hb.registerHelper('keyFloor', (keyType: unknown) => (keyType === 'uuid' ? "'00000000-0000-0000-0000-000000000000'::uuid" : "''"));
  // The key after every key of a ranged walk (uuid keys only: text has no greatest value).
  hb.registerHelper('keyCeiling', (keyType: unknown) => {
    if (keyType !== 'uuid') throw new Error('a ranged walk needs uuid keys');
    return "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid";
  });
  // A block's lines moved right by n spaces, so a partial block lines up where it is used.
  hb.registerHelper('indent', function (this: unknown, n: unknown, options: Handlebars.HelperOptions) {
    return (options.fn(this) as string).replace(/\n+$/, '').replace(/^(?=.)/gm, ' '.repeat(Number(n)));
  });
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hb.registerHelper('tbl', (key: unknown) => {
    const name = t[String(key)];
    if (!name) throw new Error(`template asks for working table '${String(key)}', which this scenario does not create`);
    return name;
  });
  for (const [path, source] of Object.entries(templates)) {
    const m = /^partials\/(common|[a-z]+)\/([a-z-]+)\.hbs$/.exec(path);
    if (m && (m[1] === 'common' || m[1] === dialect.name)) hb.registerPartial(m[2] as string, source);
  }
  return hb;
}

function compile(hb: typeof Handlebars, source: string, what: string): HandlebarsTemplateDelegate {
  try {
    return hb.compile(source, { noEscape: true, strict: true });
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

function progressQuery(spec: StepSpec, ctx: RenderContext): string | undefined {
  if (!spec.progress) return undefined;
  const { done, source, filter } = spec.progress;
  const from = ctx.t[source] ?? source;
  const where = filter ? ` WHERE ${filter}` : '';
  if (spec.progress.identifiers) return identifierWalkProgress(ctx.t[done] as string, ctx.t[spec.progress.identifiers] as string);
  if (spec.progress.perBatch) {
    return `SELECT (SELECT count(*) FROM ${ctx.t[done]}) AS done, (SELECT (count(*) + ${ctx.n.batchSize} - 1) ${ctx.d.intDiv} ${ctx.n.batchSize} FROM ${from} AS src${where}) AS total`;
  }
  return `SELECT (SELECT count(*) FROM ${ctx.t[done]}) AS done, (SELECT count(*) FROM ${from} AS src${where}) AS total`;
}

/**
 * The highest key done, read backwards from the done table's primary key (no max(uuid) in
 * PostgreSQL); on a ranged walk the highest within the range $1 (after) .. $2 (up to).
 */
function floorQuery(spec: StepSpec, ctx: RenderContext): string {
  if (spec.progress!.identifiers) return identifierWalkFloor(ctx.t[spec.progress!.done] as string, ctx.t[spec.progress!.identifiers] as string);
  const range = spec.progress!.ranged ? ' WHERE done.id > $1 AND done.id <= $2' : '';
  return `SELECT done.id AS floor FROM ${ctx.t[spec.progress!.done]} AS done${range} ORDER BY done.id DESC LIMIT 1`;
}

/** The lowest and highest key of a ranged walk (its position on PostgreSQL, its id on CockroachDB), as text. */
function rangesQuery(spec: StepSpec, ctx: RenderContext): string {
  const key = ctx.d.eventsInStorageOrder ? 'ord' : 'id';
  const from = `${ctx.t[spec.progress!.source]} AS src`;
  return `SELECT (SELECT CAST(src.${key} AS text) FROM ${from} ORDER BY src.${key} LIMIT 1) AS lo, (SELECT CAST(src.${key} AS text) FROM ${from} ORDER BY src.${key} DESC LIMIT 1) AS hi`;
}

/** Trailing blanks off every line, no runs of blank lines, no blank first or last line. */
function tidy(sql: string): string {
  return sql
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Where a scenario's point of no return is, as a step number and the text its header carries. */
interface NoReturn {
  slug: string;
  why: string;
}

/** The header note of the point-of-no-return step. */
export function noReturnNote(number: number, why: string): string[] {
  return wrapNote(`Point of no return: from step ${number} on, the way back is forward: re-stitching. Once this step is done, ${why} 'restitch run --undo' refuses from here on, and the undo runbook's first check stops it.`);
}

function withNoReturn(notes: string[], extra: string[]): string[] {
  return notes.length > 0 && extra.length > 0 ? [...notes, '', ...extra] : [...notes, ...extra];
}

function notesFor(spec: StepSpec, dialect: Dialect, priority: 'normal' | 'high'): string[] {
  if (spec.kind === 'batch' && priority === 'high') {
    return [
      ...dialect.batchByHand,
      'Generated with --priority high: run each batch as BEGIN TRANSACTION PRIORITY HIGH; <statement>',
      'COMMIT; never SET default_transaction_priority for the whole session.',
    ];
  }
  if (spec.kind === 'batch' && spec.progress?.ranged && !dialect.subqueryResultsConstrainScans) {
    return [...dialect.batchByHand, 'Here the floor query takes a key range: for the whole walk $1 is the nil UUID and $2', "'ffffffff-ffff-ffff-ffff-ffffffffffff'."];
  }
  if (spec.kind === 'batch' && spec.progress?.identifiers) return identifierWalkByHand(dialect.console.name);
  if (spec.kind === 'batch') return [...dialect.batchByHand];
  // psql and cockroach sql both read COPY ... FROM STDIN data from their own input, up to a line
  // \. (https://www.postgresql.org/docs/current/app-psql.html, COPY in a script;
  // https://www.cockroachlabs.com/docs/stable/copy and cockroachdb/cockroach
  // pkg/cli/interactive_tests/test_copy.tcl). CockroachDB's COPY needs the INSERT privilege on the
  // table (pkg/sql/copy_from.go) and is atomic inside an explicit transaction.
  if (spec.copyFromEntities) {
    return [
      `By hand, from the runbook directory: ${dialect.console.name} reads the COPY data from its input, up to a line \\.`,
      dialect.console.copyInTransaction
        ? `(echo 'BEGIN;'; cat <this file> entities.txt; printf '\\\\.\\nCOMMIT;\\n') | ${dialect.console.command}`
        : `(cat <this file> entities.txt; printf '\\\\.\\n') | ${dialect.console.command}`,
      ...(dialect.console.copyInTransaction
        ? []
        : [`No BEGIN: ${dialect.console.name} refuses COPY in a transaction; the COPY alone is all or nothing, and the`, 'next step proves the table holds exactly entities.txt (run this step again until it does).']),
      'restitch bundle carries the ids inline the same way.',
    ];
  }
  if (spec.kind === 'wait' && spec.wait?.hold !== undefined) {
    return [`By hand: run the query every ${formatDuration(spec.wait.interval)} for ${formatDuration(spec.wait.hold)}; every run must give ok = true on every row: stop at the first that does not.`];
  }
  if (spec.kind === 'wait' && spec.wait) {
    return [`By hand: run the query every ${formatDuration(spec.wait.interval)} until ok is true on every row; give up after ${formatDuration(spec.wait.timeout)}.`];
  }
  return [];
}

function renderSteps(specs: StepSpec[], dir: string, hb: typeof Handlebars, ctx: RenderContext, templates: TemplateSet, noReturn: NoReturn | null = null): RenderedStep[] {
  if (noReturn && !specs.some((s) => s.slug === noReturn.slug)) throw new Error(`point of no return '${noReturn.slug}' is not a step of this scenario`);
  return specs.map((spec, i) => {
    const isNoReturn = noReturn?.slug === spec.slug;
    const path = `steps/${spec.template}.sql.hbs`;
    const source = templates[path];
    if (source === undefined) throw new Error(`missing template ${path}`);
    const stepCtx = { ...ctx, p: spec.params ?? {}, undo: dir !== '', step: { number: i + 1, slug: spec.slug, label: `${dir === '' ? '' : 'undo '}step ${i + 1} (${spec.slug})` } };
    const text = (s: string) => compile(hb, s, `${spec.slug} text`)(stepCtx) as string;
    // Templates are laid out by hand in sql-formatter's style; a test proves that running
    // sql-formatter over every example changes no parse tree. Formatting at run time would
    // triple the start-up time of `generate`.
    let body = tidy(compile(hb, source, path)(stepCtx) as string);
    if ((spec.kind === 'check' || spec.kind === 'wait') && !body.trimEnd().endsWith(';')) body = `${body.trimEnd()};`;
    const header = {
      number: i + 1,
      total: specs.length,
      title: text(spec.title),
      kind: spec.kind,
      why: text(spec.why),
      expect: text(spec.expect),
      notes: withNoReturn(notesFor(spec, ctx.d, ctx.priority), isNoReturn && noReturn ? noReturnNote(i + 1, noReturn.why) : []),
      ...(spec.wait ? { intervalSeconds: spec.wait.interval, timeoutSeconds: spec.wait.timeout } : {}),
      ...(spec.wait?.hold !== undefined ? { holdSeconds: spec.wait.hold } : {}),
      ...(spec.progress ? { progress: progressQuery(spec, ctx) } : {}),
      ...(spec.kind === 'batch' && ctx.priority === 'high' ? { priority: 'high' as const } : {}),
      ...(spec.copyFromEntities ? { copyFrom: ctx.ids.file } : {}),
      ...(spec.progress && !ctx.d.subqueryResultsConstrainScans ? { floor: floorQuery(spec, ctx) } : {}),
      ...(spec.progress?.ranged ? { ranges: rangesQuery(spec, ctx) } : {}),
      ...(isNoReturn ? { pointOfNoReturn: true as const } : {}),
      ...(spec.recheckOnResume ? { recheckOnResume: true as const } : {}),
    };
    if (spec.kind === 'batch' && (spec.progress?.ranged === true) !== body.includes('-- restitch:range-end')) {
      throw new Error(`${path}: a ranged step passes ranged=true to keyset-batch, and only such a step`);
    }
    const number = String(i + 1).padStart(2, '0');
    const file: RunbookFile = { path: `${dir}${number}-${spec.slug}.sql`, content: `${formatHeader(header)}${body}\n` };
    return { header, slug: spec.slug, file };
  });
}

/** Renders a whole runbook (steps, undo, runbook.md, manifest.json) from validated inputs. */
export function renderRunbook(inputs: RunbookInputs, templates: TemplateSet, toolVersion: string): Runbook {
  const scenario = getScenario(inputs.scenario);
  const dialect = getDialect(inputs.dialect);
  const ctx = buildContext(scenario, dialect, inputs);
  const hb = environment(templates, dialect, ctx.t);
  const steps = renderSteps(scenario.steps(inputs), '', hb, ctx, templates, scenario.pointOfNoReturn);
  const undo = renderSteps(scenario.undo(inputs), 'undo/', hb, ctx, templates);
  const markdown: RunbookFile = { path: 'runbook.md', content: renderMarkdown({ inputs, scenario, dialect, steps, undo, toolVersion }) };
  const files = [...steps.map((s) => s.file), ...undo.map((s) => s.file), markdown];
  if (inputs.entities.count > 0) files.push({ path: ENTITIES_FILE, content: inputs.entities.text() });
  const manifest: RunbookFile = { path: 'manifest.json', content: buildManifest({ inputs, scenario, steps, undo, files, toolVersion }) };
  files.push(manifest);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { inputs, steps, undo, files };
}
