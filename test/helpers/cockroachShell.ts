/**
 * A script as `cockroach sql` runs it, on the lane: meta-commands (`\set errexit`) stay in the
 * shell, every other statement goes to the session one by one, and a `COPY ... FROM STDIN;` takes
 * the lines after it, up to a line `\.`, as its rows. The session is a lane session on the shell
 * path (sql_safe_updates on; COPY refused inside a transaction), so the script meets what the
 * shell and the server of the profile refuse. The first error stops the script (errexit).
 */
import { loadPgQuery } from '../../src/core/where.js';
import { setAside } from '../../src/lint/setAside.js';
import { forPostgresParserInPlace, getDialect } from '../../src/core/dialects/index.js';
import { connectionTarget } from '../../src/runner/connection/connection.js';
import { openLaneSession, type LaneSession } from './cockroachLane.js';
import type { LaneProfile } from './laneProfiles.js';

/** Where the script stopped: the statement's index and text, and the error; null when it ran to the end. */
export interface ShellStop {
  index: number;
  statement: string;
  error: Error & { code?: string };
}

/** The script's statements as the shell sends them, each with the rows of a COPY. */
export async function shellStatements(script: string): Promise<{ sql: string; rows?: string }[]> {
  const pg = await loadPgQuery();
  const forParser = forPostgresParserInPlace(getDialect('cockroachdb'), setAside(script).text);
  const bytes = Buffer.from(script, 'utf8');
  return (pg.parseSync(forParser).stmts ?? []).map((st) => {
    const at = st.stmt_location ?? 0;
    // The comments before a statement are the shell's to skip.
    const sql = bytes.subarray(at, at + (st.stmt_len ?? bytes.length - at)).toString('utf8').replace(/^(\s*--[^\n]*\n)+/, '').trim();
    if (!/^COPY\b[\s\S]*FROM STDIN$/i.test(sql)) return { sql };
    // The rows start on the line after the statement's `;` and end before a line `\.`.
    const rest = bytes.subarray(at + (st.stmt_len ?? 0)).toString('utf8');
    const start = rest.indexOf('\n') + 1;
    const end = rest.indexOf('\n\\.\n', start - 1);
    return { sql: `${sql};`, rows: rest.slice(start, end + 1) };
  });
}

/** Runs `script` on a new shell-path lane session to `url` under `profile`; the session is closed after. */
export async function runShellScript(url: string, script: string, profile?: LaneProfile): Promise<{ stop: ShellStop | null; session: LaneSession }> {
  const session = await openLaneSession(connectionTarget(url, {}), { shell: true, ...(profile ? { profile } : {}) });
  let stop: ShellStop | null = null;
  try {
    for (const [index, { sql, rows }] of (await shellStatements(script)).entries()) {
      try {
        if (rows === undefined) await session.query(sql);
        else await session.copyFrom(sql, rows);
      } catch (error) {
        stop = { index, statement: sql, error: error as ShellStop['error'] };
        break;
      }
    }
  } finally {
    await session.close();
  }
  return { stop, session };
}
