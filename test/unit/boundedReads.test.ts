/**
 * The CockroachDB runbooks read customer_events only where a step needs it: the multi-entity
 * export's progress and floor read the work tables, and the wait that polls every reset event
 * reads a few seconds in the past (docs/cockroachdb-bounded.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forPostgresParser, getDialect } from '../../src/core/dialects/index.js';
import { validateInputs } from '../../src/core/inputs.js';
import { loadPgQuery } from '../../src/core/where.js';
import { findAll, type Node } from '../../src/lint/tree.js';
import { renderRunbook } from '../../src/core/render.js';
import { loadTemplates } from '../../src/io/templateStore.js';
import { ROOT } from '../helpers/cli.js';
import { examples } from '../helpers/examples.js';

const templates = loadTemplates();
const E = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11';

async function runbook(scenario: string, dialect: string) {
  const inputs = await validateInputs({ scenario, dialect, incident: 'unit', ...(scenario === 'full-reset' ? {} : { entity: [E] }) });
  return renderRunbook(inputs, templates, '0.0.0-test');
}

describe('CockroachDB reads that follow the chosen entities', () => {
  it('no batch step of a CockroachDB runbook counts customer_events for its progress, nor divides integers with /', async () => {
    for (const scenario of ['multi-entity', 'entity-oneshot', 'recalc-only']) {
      const rb = await runbook(scenario, 'cockroachdb');
      for (const step of [...rb.steps, ...rb.undo].filter((s) => s.header.kind === 'batch')) {
        expect(step.header.progress ?? '', `${scenario} ${step.file.path}`).not.toMatch(/customer_events/);
        expect(step.header.progress ?? '', `${scenario} ${step.file.path}`).not.toMatch(/\) \/ \d/);
      }
    }
  });

  it('the multi-entity export binds one identifier and the id to start after, read from the work tables', async () => {
    const step = (await runbook('multi-entity', 'cockroachdb')).steps.find((s) => s.slug === 'export-events')!;
    expect(step.header.floor).toMatch(/^SELECT w\.identifier, .* AS floor FROM \(SELECT DISTINCT held\.identifier FROM external_data\.rs_unit_entities_backup /);
    expect(step.header.floor).not.toMatch(/customer_events/);
    expect(step.file.content).toMatch(/WHERE e\.identifiers @> ARRAY\[\n {6}'' -- restitch:identifier\n {4}\]/);
    expect(step.header.notes.join(' ')).toMatch(/put its identifier in place of the literal before each "-- restitch:identifier"/);
  });

  it('the wait for re-stitching reads every reset event with a follower read on CockroachDB, the present on PostgreSQL', async () => {
    for (const scenario of ['multi-entity', 'full-reset']) {
      const crdb = (await runbook(scenario, 'cockroachdb')).steps.find((s) => s.slug === 'restitched')!;
      expect(crdb.file.content.trimEnd()).toMatch(/\) AS waiting AS OF SYSTEM TIME follower_read_timestamp\(\);$/);
      expect(crdb.header.why).toMatch(/a follower read/);
      const pg = (await runbook(scenario, 'postgres')).steps.find((s) => s.slug === 'restitched')!;
      expect(pg.file.content).not.toMatch(/SYSTEM TIME/);
    }
  });

  /**
   * `x && y` with a column on both sides: CockroachDB cannot drive an inverted join with it before
   * v25.4 (cockroachdb/cockroach issue 81643), so the whole table is read and compared.
   */
  async function columnOverlaps(sql: string): Promise<number> {
    const pg = await loadPgQuery();
    const tree = pg.parseSync(forPostgresParser(getDialect('cockroachdb'), sql));
    const column = (n: unknown) => findAll(n, 'ColumnRef').length > 0 && findAll(n, 'SubLink').length === 0;
    return findAll(tree, 'A_Expr').filter((e) => JSON.stringify(e.name).includes('"&&"') && column(e.lexpr) && column(e.rexpr)).length;
  }

  it('no CockroachDB step compares identifiers with && between two columns; the export check and one-shot guard did', async () => {
    let files = 0;
    for (const ex of examples().filter((e) => e.manifest.dialect === 'cockroachdb')) {
      for (const f of ex.files.filter((file) => file.path.endsWith('.sql'))) {
        files++;
        expect(await columnOverlaps(f.content), `${ex.name}/${f.path}`).toBe(0);
      }
    }
    expect(files).toBeGreaterThan(40);
    for (const old of ['old-09-export-complete.sql', 'old-04-guard.sql']) {
      expect(await columnOverlaps(readFileSync(join(ROOT, 'test/fixtures/bounded', old), 'utf8')), old).toBeGreaterThan(0);
    }
  });
});
