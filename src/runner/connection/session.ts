/**
 * One database session that survives a lost connection: `reconnect` opens a new one and
 * applies the session settings again (SET is per session and is lost with it:
 * https://www.cockroachlabs.com/docs/stable/set-vars). `interrupt` ends the running statement
 * from a second connection, the way the dialect allows.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { checkError, inputError } from '../../core/errors.js';
import { sqlLiteral } from '../../core/sql.js';
import type { ServerTraits } from '../../core/dialects/index.js';
import type { ConnectionTarget } from './connection.js';
import { isConnectionError } from './transient.js';

/** The result of one query: rows, and rows affected summed over the statements sent. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** What the runner needs from the database; `PgSession` is the only implementation. */
export interface Db {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs `COPY ... FROM STDIN` with `data` (COPY text format) as its rows; returns the rows copied. */
  copyFrom(sql: string, data: string): Promise<number>;
  /** Session settings applied now and after every reconnect. */
  settings(values: Record<string, string>): Promise<void>;
  reconnect(): Promise<void>;
  /** Ends the statement running on this session (from another connection). */
  interrupt(): Promise<void>;
  close(): Promise<void>;
}

/** Whether `table` (schema-qualified) exists: the journal, the lease and the other tables of the runner appear with their first write. */
export async function tableExists(db: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }, table: string): Promise<boolean> {
  return (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0]?.t != null;
}

/**
 * The error of a query on a session whose connection was lost and not yet reopened: SQLSTATE
 * 08003 (connection_does_not_exist), so it is transient like the loss itself and a retry
 * reconnects (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
export function notConnected(): Error {
  return Object.assign(new Error('the connection to the database is closed (lost, and not yet reopened)'), { code: '08003' });
}

/** The statement that applies one session setting (as run, and as `run --dry-run --sql` prints it). */
export function setStatement(name: string, value: string): string {
  return `SET ${name} = ${sqlLiteral(value)}`;
}

export class PgSession implements Db {
  private client: pg.Client | null = null;
  private sessionId: string | null = null;
  private traits: ServerTraits | null = null;
  private applied: Record<string, string> = {};

  constructor(private readonly target: ConnectionTarget) {}

  async connect(): Promise<void> {
    const client = new pg.Client(this.target.config);
    // A terminated connection also emits 'error'; the failing query reports it.
    client.on('error', () => {});
    await client.connect();
    this.client = client;
    for (const [name, value] of Object.entries(this.applied)) await this.set(name, value);
    await this.requireSettings();
    await this.readSessionId();
  }

  /** Tells the session which server it talks to, once known, so it can be interrupted and hold the settings it needs. */
  async useTraits(traits: ServerTraits): Promise<void> {
    this.traits = traits;
    await this.requireSettings();
    await this.readSessionId();
  }

  /** Sets the server's required settings and proves them with SHOW (a pooler may not keep a SET). */
  private async requireSettings(): Promise<void> {
    for (const [name, value] of Object.entries(this.traits?.requiredSettings ?? {})) {
      await this.set(name, value);
      const shown = String(Object.values((await this.query(`SHOW ${name}`)).rows[0] ?? {})[0] ?? '');
      if (shown !== value) {
        throw checkError(`the session's ${name} is '${shown}' right after SET ${name} = ${value} (a connection pooler that does not keep session settings?); the runbook's SQL relies on it being ${value}: nothing more was run. Connect to the server directly or in session pooling mode`);
      }
    }
  }

  /** A new connection is a new session, with a new id to interrupt. */
  private async readSessionId(): Promise<void> {
    if (this.traits) this.sessionId = String((await this.query<{ id: string }>(this.traits.sessionIdQuery)).rows[0]?.id);
  }

  private async set(name: string, value: string): Promise<void> {
    await this.query(setStatement(name, value));
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (!this.client) throw notConnected();
    const result = (await this.client.query(sql, params)) as unknown as pg.QueryResult | pg.QueryResult[];
    if (Array.isArray(result)) {
      const last = result[result.length - 1];
      return { rows: (last?.rows ?? []) as R[], rowCount: result.reduce((n, r) => n + (r.rowCount ?? 0), 0) };
    }
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async copyFrom(sql: string, data: string): Promise<number> {
    if (!this.client) throw notConnected();
    const stream = this.client.query(copyFrom(sql));
    // 'finish' comes once the server has confirmed the COPY (pg-copy-streams), 'error' on its error.
    const done = new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
    });
    // Written in slices: one write of a 40 MB string would hold a second copy of it as a Buffer.
    const SLICE = 1 << 20;
    for (let at = 0; at < data.length; at += SLICE) {
      if (!stream.write(data.slice(at, at + SLICE))) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), done]);
    }
    stream.end();
    await done;
    return Number(stream.rowCount);
  }

  async settings(values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values)) {
      if (this.applied[name] === value) continue;
      await this.set(name, value);
      this.applied[name] = value;
    }
  }

  async reconnect(): Promise<void> {
    const old = this.client;
    this.client = null;
    await old?.end().catch(() => {});
    await this.connect();
  }

  async interrupt(): Promise<void> {
    if (!this.traits || this.sessionId === null) return;
    const side = new pg.Client(this.target.config);
    side.on('error', () => {});
    try {
      await side.connect();
      await side.query(this.traits.cancelStatement(sqlLiteral(this.sessionId)));
    } finally {
      await side.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}

/**
 * A connected session to `target`; a failure to connect is one line naming the target, never the
 * password: exit 1 when the server cannot be reached now (refused, reset, starting up: it may be
 * restarting, and the same command works once it is back), exit 2 when what was given is wrong
 * (an unknown database or user, a wrong password).
 */
export async function openSession(target: ConnectionTarget): Promise<PgSession> {
  const session = new PgSession(target);
  try {
    await session.connect();
  } catch (error) {
    const why = `cannot connect to ${target.label}: ${target.redact((error as Error).message)}`;
    if (isConnectionError(error)) throw checkError(`${why}; is the server up? Run the same command again once it accepts connections`);
    throw inputError(`${why}; check --db, DATABASE_URL or the PG* variables`);
  }
  return session;
}
