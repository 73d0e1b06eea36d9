/** `run --dry-run --sql` pasted into psql: the COPY's rows inline, ended by a line `\.`, as `bundle` has them. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

describe('run --dry-run --sql', () => {
  it('pastes into psql: the load step carries its rows inline and ends them with \\.', async () => {
    const db = await server.database('paste', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    const dir = join(EXAMPLES_DIR, 'multi-entity-postgres');
    const r = runCli(['run', dir, '--db', server.url('paste'), '--dry-run', '--sql', '--to', '5']);
    expect(r.code, r.stderr).toBe(0);
    const ids = readFileSync(join(dir, 'entities.txt'), 'utf8');
    expect(r.stdout).toContain(`FROM STDIN;\n${ids}\\.\nCOMMIT;\n`);
    // The dry run changed nothing; the script, pasted, loads every id of entities.txt.
    expect((await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'external_data'`)).rowCount).toBe(0);
    const psql = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: r.stdout, env: server.env('paste'), encoding: 'utf8' });
    expect(psql.status, psql.stderr).toBe(0);
    const loaded = (await db.query<{ id: string }>('SELECT customer_entity_id::text AS id FROM external_data.rs_example_multi_entities ORDER BY 1')).rows.map((x) => x.id);
    expect(loaded).toEqual(ids.trimEnd().split('\n').sort());
    await db.end();
  });
});
