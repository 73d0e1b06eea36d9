/**
 * The connection of the read-only commands (diagnose, rehearse): the source database by --db,
 * its dialect from version(), and one line on a failure with the password redacted.
 */
import pg from 'pg';
import { detectDialect } from '../core/dialects/index.js';
import { inputError, RestitchError } from '../core/errors.js';
import type { DialectName } from '../core/types.js';
import { connectionTarget } from '../runner/connection/connection.js';
import { missingGrant } from '../runner/connection/missingGrant.js';

/** Connects to --db, detects the dialect, runs `work`, and closes the connection whatever happens. */
export async function withSource<T>(db: string | undefined, command: string, work: (client: pg.Client, dialect: DialectName) => Promise<T>): Promise<T> {
  const target = connectionTarget(db, process.env);
  const client = new pg.Client(target.config);
  client.on('error', () => {});
  try {
    await client.connect();
    const version = String((await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '');
    const dialect = detectDialect(version);
    if (!dialect) throw inputError(`${target.label} is neither PostgreSQL nor CockroachDB (${version.slice(0, 60)})`);
    return await work(client, dialect.name);
  } catch (error) {
    if (error instanceof RestitchError) throw error;
    const grant = missingGrant(error, target.label.split('@')[0], true);
    throw new RestitchError(`${command} on ${target.label} failed: ${target.redact((error as Error).message)}${grant ? `; ${grant}` : ''}`, 1);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A whole-number option of at least 1 (`fallback` when absent). */
export function wholeOption(flag: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n) || n < 1) throw inputError(`${flag} must be a whole number of at least 1, not '${String(raw)}'`);
  return n;
}

/** --schema of the read-only commands: current or legacy (legacy is PostgreSQL's only). */
export function schemaOption(raw: unknown): 'current' | 'legacy' {
  const schema = (raw as string | undefined) ?? 'current';
  if (schema !== 'current' && schema !== 'legacy') throw inputError(`--schema must be current or legacy, not '${schema}'`);
  return schema;
}

/** Refuses the legacy schema on CockroachDB. */
export function legacyOnPostgres(schema: 'current' | 'legacy', dialect: DialectName): void {
  if (schema === 'legacy' && dialect !== 'postgres') throw inputError('--schema legacy is a PostgreSQL schema (legacy-steps); this server is CockroachDB');
}
