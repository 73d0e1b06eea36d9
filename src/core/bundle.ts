/**
 * The whole runbook as one SQL script, for pasting into a console. Each check and wait query is
 * wrapped so that a failing check raises an error naming the step; the script's first lines make
 * the console stop at the first error (psql's ON_ERROR_STOP, cockroach sql's errexit), so nothing
 * after a failing check runs however the console was started.
 */
import { getDialect, type Dialect } from './dialects/index.js';
import { copyInline } from './entitiesFile.js';
import { sqlLiteral } from './sql.js';
import type { Manifest } from './manifest.js';
import { loadSteps } from './steps.js';
import type { RunbookFile } from './types.js';

/**
 * A query that raises an error naming `label` unless `query` returned rows and all had ok = true.
 * The raising expression (the dialect's `console.raise`) runs only in the CASE branch taken.
 */
export function assertingQuery(query: string, label: string, console: Dialect['console'], staleReadClause = ''): string {
  let inner = query.trim().replace(/;\s*$/, '');
  // AS OF SYSTEM TIME stands only on the top-level SELECT (cockroachdb/cockroach issue 71034):
  // a check that reads the past keeps doing so from the wrapping query.
  let asOf = '';
  if (staleReadClause !== '' && inner.endsWith(staleReadClause)) {
    inner = inner.slice(0, -staleReadClause.length).trimEnd();
    asOf = ` ${staleReadClause}`;
  }
  const message = `${sqlLiteral(`restitch: ${label} did not pass (`)} || CAST(count(*) AS text) || ${sqlLiteral(' row(s), not all ok); run that step alone to see its rows')}`;
  return [
    "SELECT CASE WHEN count(*) > 0 AND bool_and(restitch_check.ok) THEN 'passed'",
    `  ELSE ${console.raise(message)} END AS restitch_check`,
    'FROM (',
    inner,
    `) AS restitch_check${asOf};`,
  ].join('\n');
}

/** A load step's statements with its rows after the COPY, as the console takes them. */
export function copyStatements(body: string, data: string, console: Dialect['console']): string {
  const statements = copyInline(body, data);
  return console.copyInTransaction ? `BEGIN;\n${statements}\nCOMMIT;` : statements;
}

/** Concatenates the forward (or undo) steps listed in the manifest, in order. */
export function bundleRunbook(manifest: Manifest, files: readonly RunbookFile[], undo = false): string {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const dialect = getDialect(manifest.dialect);
  const out: string[] = [
    `-- restitch bundle: ${manifest.inputs.incident} (${manifest.scenario} on ${dialect.label})${undo ? ', UNDO' : ''}`,
    `-- Paste step by step, or pipe into ${dialect.console.command}. A check that does not pass raises`,
    '-- an error and stops the script. Batch statements run once here: when the check after one',
    '-- fails with rows left, run that batch statement again until it affects 0 rows, then go on.',
    '-- Manual steps are comments: do them before going past them.',
    ...dialect.console.preamble,
    '',
  ];
  for (const { file, header, body } of loadSteps(manifest, files, undo)) {
    const content = byPath.get(file) ?? '';
    const headerText = content.slice(0, content.length - body.length).trimEnd();
    out.push(`-- ==== ${file} ====`, headerText);
    if (header.kind === 'check' || header.kind === 'wait') out.push(assertingQuery(body, `step ${header.number} (${header.title})`, dialect.console, dialect.staleReadClause));
    // A holding wait must still pass once its period is over (what it proves, an entity still
    // there, cannot come back once lost). pg_sleep exists on CockroachDB too, taking FLOAT seconds
    // (cockroachdb/cockroach pkg/sql/sem/builtins/pg_builtins.go).
    if (header.kind === 'wait' && header.holdSeconds !== undefined) {
      out.push(`SELECT pg_sleep(${header.holdSeconds});`, assertingQuery(body, `step ${header.number} (${header.title}), after ${header.holdSeconds} s`, dialect.console, dialect.staleReadClause));
    }
    // HIGH priority (--priority high) for the batch's own transaction only, never the session's.
    // The COPY reads its rows from the script itself, up to a line \. (psql and cockroach sql alike),
    // in one transaction where the console allows it (Dialect.console.copyInTransaction).
    else if (header.copyFrom) out.push(copyStatements(body, byPath.get(header.copyFrom) ?? '', dialect.console));
    else if (header.priority === 'high') out.push(`BEGIN TRANSACTION PRIORITY HIGH;\n${body.trimEnd()}\nCOMMIT;`);
    else if (body.trim() !== '') out.push(body.trimEnd());
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
