import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { tempDir } from '../helpers/tempDir.js';

const server = new TestServer();
let db: pg.Client;
let url: string;
const dir = join(tempDir('grants'), 'rb');

// A user that may connect and read the public schema's catalogue, and nothing else.
beforeAll(async () => {
  await server.start();
  db = await server.database('grants', CURRENT_SCHEMA_DDL);
  await seedCurrent(db);
  await db.query(`CREATE ROLE weak LOGIN PASSWORD 'weak-Pw1'; REVOKE CREATE ON DATABASE grants FROM PUBLIC; REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO weak`);
  url = server.url('grants').replace(/\/\/postgres:[^@]+@/, '//weak:weak-Pw1@');
  expect(runCli(['generate', 'multi-entity', '--dialect', 'postgres', '--incident', 'g1', '--entity', 'e1', '--out', dir]).code).toBe(0);
});
afterAll(async () => {
  await db?.end();
  await server.stop();
});

/** One line naming the GRANT, exit 1, no stack trace. */
function namesGrant(r: { code: number; stderr: string; stdout: string }, grant: RegExp): void {
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('restitch:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(grant);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(r.code).toBe(1);
}

const run = () => runCli(['run', dir, '--db', url, '--yes', '--confirm', '1']);

describe('a missing grant names the grant (exit 1, one line)', () => {
  it('on the platform tables: not mistaken for the wrong database', () => {
    namesGrant(run(), /user weak has no privilege on customer_attributes, customer_events; nothing was created or run\. .*GRANT SELECT, UPDATE ON customer_attributes, customer_events TO weak/);
  });

  it('diagnose, on a table', () => {
    namesGrant(runCli(['diagnose', '--db', url]), /permission denied for table customer_attributes; .*GRANT SELECT ON TABLE customer_attributes TO weak/);
  });

  it('on the database (the working schema cannot be created)', async () => {
    await db.query('GRANT SELECT, UPDATE ON customer_attributes, customer_events TO weak');
    // The acceptance run finds it before step 1 and names the steps that need it.
    namesGrant(run(), /the acceptance run on the target failed, so nothing was run: .*CREATE on database grants .*Ask for: GRANT CREATE ON DATABASE grants TO weak;/);
  });

  it('on the working schema', async () => {
    await db.query('CREATE SCHEMA external_data');
    namesGrant(run(), /permission denied for schema external_data \(SQLSTATE 42501\); .*GRANT USAGE ON SCHEMA external_data TO/);
    namesGrant(runCli(['status', dir, '--db', url]), /GRANT USAGE ON SCHEMA external_data TO/);
  });
});
