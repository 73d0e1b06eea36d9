/**
 * Where a run is about to act, said once before the first step (and in a dry run), as Flyway's
 * "Database: jdbc:... (PostgreSQL 16)" line does: the server's address (never the password), its
 * version string, the database and user as the server reports them, and which runbook. Pure.
 */
import type { Db } from './connection/session.js';

/** What the banner says. */
export interface Whereabouts {
  /** host:port as connected to. */
  address: string;
  /** `SELECT version()`. */
  version: string;
  database: string;
  user: string;
  incident: string;
  scenario: string;
  dialect: string;
  undo: boolean;
  dryRun: boolean;
}

/** Control characters shown escaped, so a value cannot move the cursor or hide the rest of the line. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The database and user the session is connected as (both dialects answer these). */
export async function sessionIdentity(db: Db): Promise<{ database: string; user: string }> {
  const row = (await db.query<{ database: string; user: string }>('SELECT current_database() AS database, current_user AS "user"')).rows[0];
  return { database: String(row?.database ?? ''), user: String(row?.user ?? '') };
}

export function formatBanner(w: Whereabouts): string {
  const what = w.dryRun ? 'dry run (nothing changes) against' : 'about to run against';
  return [
    `restitch run: ${what}`,
    `  server:   ${printable(w.address)} (${printable(w.version)})`,
    `  database: ${printable(w.database)}, as user ${printable(w.user)}`,
    `  runbook:  incident ${printable(w.incident)}, scenario ${w.scenario}, dialect ${w.dialect}${w.undo ? ', undo' : ''}`,
  ].join('\n');
}
