/**
 * The platform check the runner makes before it creates anything (its journal, the working
 * schema): a database without the platform's tables is the wrong database, and must be left as
 * it was. The runbook's preflight then checks every column and type.
 */
import { checkError } from '../core/errors.js';
import type { SchemaProfile } from '../core/types.js';
import { platformTables } from '../core/workTables.js';
import type { Db } from './connection/session.js';

/** Refuses (exit 1, naming them) when a platform table of `schema` is missing from the database. */
export async function assertPlatform(db: Db, schema: SchemaProfile): Promise<void> {
  const missing: string[] = [];
  const hidden: string[] = [];
  for (const t of platformTables(schema)) {
    // information_schema.tables lists the current database's tables on PostgreSQL and CockroachDB alike.
    const r = await db.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1::text AND ($2::text = '' OR table_schema = $2::text)`,
      [t.table, t.schema],
    );
    if (Number(r.rows[0]?.n ?? 0) > 0) continue;
    const name = t.schema === '' ? t.table : `${t.schema}.${t.table}`;
    // information_schema shows only the tables the user holds a privilege on; pg_class shows them all.
    const c = await db.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS s ON s.oid = c.relnamespace WHERE c.relname = $1::text AND ($2::text = '' OR s.nspname = $2::text)`,
      [t.table, t.schema],
    );
    (Number(c.rows[0]?.n ?? 0) > 0 ? hidden : missing).push(name);
  }
  if (hidden.length > 0) {
    const user = String((await db.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '<user>');
    throw checkError(`user ${user} has no privilege on ${hidden.join(', ')}; nothing was created or run. Grant what the runbook needs: GRANT SELECT, UPDATE ON ${hidden.join(', ')} TO ${user}`);
  }
  if (missing.length > 0) {
    throw checkError(`this database has no ${missing.join(', ')}: it is not the platform's database (wrong --db?); nothing was created or run`);
  }
}
