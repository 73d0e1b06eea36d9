/**
 * A change step's statements split at the schema changes, for a dialect whose schema changes do
 * not belong in an explicit transaction (Dialect.transactionalDdl false: CockroachDB's
 * autocommit_before_ddl, on by default from v25.1, commits the open transaction before a schema
 * change and runs it on its own; https://www.cockroachlabs.com/docs/v25.1/session-variables).
 */
import { forPostgresParserInPlace, type Dialect } from '../core/dialects/index.js';
import { checkError } from '../core/errors.js';
import { loadPgQuery } from '../core/where.js';

/** Schema changes that lead the body (each run on its own) and the data statements after them (one transaction). */
export interface SplitBody {
  schema: string[];
  data: string;
}

const DATA = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'CopyStmt']);

/**
 * `body` split into its leading schema changes and the rest. Every statement is IF NOT EXISTS in
 * the templates, so running the schema changes again is harmless. Refuses a schema change after
 * a data statement: it would commit the data statements' transaction half-way.
 */
export async function splitSchemaChanges(body: string, dialect: Dialect, file: string): Promise<SplitBody> {
  const pg = await loadPgQuery();
  // Offsets must point into `body`: the clauses set aside for the parser become blanks of their length.
  const text = forPostgresParserInPlace(dialect, body);
  const bytes = Buffer.from(body, 'utf8');
  const out: SplitBody = { schema: [], data: '' };
  let dataFrom: number | null = null;
  for (const raw of pg.parseSync(text).stmts ?? []) {
    const s = raw as { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number };
    const start = s.stmt_location ?? 0;
    const isData = DATA.has(Object.keys(s.stmt ?? {})[0] ?? '');
    if (isData) dataFrom ??= start;
    else if (dataFrom !== null) throw checkError(`${file}: a schema change after a data statement cannot share its transaction on ${dialect.label}; regenerate the runbook`);
    else out.schema.push((s.stmt_len ? bytes.subarray(start, start + s.stmt_len) : bytes.subarray(start)).toString('utf8').trim());
  }
  out.data = dataFrom === null ? '' : bytes.subarray(dataFrom).toString('utf8').trim();
  return out;
}
