/**
 * Walks a runbook step by step, proving each check and wait can fail before running it (see
 * test/integration/checksCanFail.test.ts for the states).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { forPostgresParser, getDialect } from '../../src/core/dialects/index.js';
import { INCIDENTS_TABLE, tablePrefix } from '../../src/core/workTables.js';
import { sqlLiteral, sqlQualified } from '../../src/core/sql.js';
import type { Platform } from '../../src/sandbox/simulatedPlatform.js';
import { CRDB_PRIVILEGE_CATALOG_SQL, CRDB_SHA256_SQL, laneAdmin } from './cockroachLane.js';
import { examples } from './examples.js';
import { runInProcess } from './runner.js';

/**
 * SHOW CLUSTER SESSIONS on PostgreSQL, for the CockroachDB preflight, and the privilege catalog
 * its visibility row reads (SHOW SYSTEM GRANTS), with VIEWACTIVITY granted to the test user (a
 * state in `perturbed` takes it away).
 */
export const CRDB_SESSIONS = `CREATE VIEW "SHOW CLUSTER SESSIONS" AS SELECT application_name, 'ACTIVE'::text AS status FROM pg_stat_activity WHERE pid <> pg_backend_pid();
${CRDB_PRIVILEGE_CATALOG_SQL}
INSERT INTO crdb_internal.kv_system_privileges (username, path, privileges) VALUES (current_user, '/global/', '{VIEWACTIVITY}');
${CRDB_SHA256_SQL}`;
const PLATFORM_TABLES: Record<'current' | 'legacy', string[]> = {
  current: ['customer_events', 'customer_attributes'],
  legacy: ['cdp_ps.customer_events_to_process', 'cdp_attr.customer_entities_audit', 'cdp_ps.matching', 'cdp_ce.customer_events'],
};
/** A platform column not as the runbook assumes it (DDL is transactional on PostgreSQL). */
const RENAMED_COLUMN: Record<'current' | 'legacy', string> = {
  current: 'ALTER TABLE customer_events RENAME COLUMN identifiers TO identifiers_renamed',
  legacy: 'ALTER TABLE cdp_ps.matching RENAME COLUMN customer_entity_id TO customer_entity_id_renamed',
};
/** Checks of the input data, not of the step before them (it creates only the working tables). */
const INPUT_CHECKS = new Set(['scope', 'guard']);

type Row = { check_name?: string; ok?: unknown };
export type Step = { file: string; kind: string };
export type Example = ReturnType<typeof examples>[number];

const all = examples();
/** The PostgreSQL example with the same scenario and inputs (itself for a PostgreSQL example). */
export const twinOf = (ex: Example): Example => all.find((e) => e.name === ex.name.replace('-cockroachdb', '-postgres')) as Example;
export const slugOf = (file: string) => file.replace(/^(undo\/)?\d+-|\.sql$/g, '');

/** One walk through a runbook on one database, recording every check row seen failing. */
export class Walk {
  readonly seen: string[] = [];
  constructor(
    readonly ex: Example,
    readonly db: pg.Client,
    readonly url: string,
    readonly platform: Platform,
  ) {}

  private sql(dir: string, file: string): string {
    return laneAdmin(forPostgresParser(getDialect(this.ex.manifest.dialect), readFileSync(join(dir, file), 'utf8')));
  }

  /** Runs a check of the example read-only and returns its rows. */
  async rows(file: string, db: pg.Client = this.db): Promise<Row[]> {
    await db.query('BEGIN READ ONLY');
    try {
      return (await db.query<Row>(this.sql(this.ex.dir, file))).rows;
    } finally {
      await db.query('ROLLBACK');
    }
  }

  /** Per check file: every row name returned, and the row names seen failing. */
  readonly names = new Map<string, { all: Set<string>; failed: Set<string> }>();

  private record(file: string, rows: Row[]): void {
    const entry = this.names.get(file) ?? { all: new Set<string>(), failed: new Set<string>() };
    for (const r of rows) {
      entry.all.add(String(r.check_name));
      if (r.ok !== true) entry.failed.add(String(r.check_name));
    }
    this.names.set(file, entry);
  }

  /** Rows (file: check name) never seen failing in any state. */
  neverFailing(): string[] {
    return [...this.names].flatMap(([f, e]) => [...e.all].filter((n) => !e.failed.has(n)).map((n) => `${f}: ${n}`));
  }

  async expectFails(file: string, state: string, rows?: Row[]): Promise<void> {
    // A check that reads a working table not created yet stops the run with that error.
    const missing = rows ? null : await this.rows(file).then(() => null, (e: { code?: string }) => (e.code === '42P01' ? e : Promise.reject(e)));
    if (missing) {
      this.seen.push(file);
      return;
    }
    const got = rows ?? (await this.rows(file));
    this.record(file, got);
    expect(got.length, `${this.ex.name}/${file} (${state}) returned no row`).toBeGreaterThan(0);
    expect(got.some((r) => r.ok !== true), `${this.ex.name}/${file} passes ${state}: ${JSON.stringify(got)}`).toBe(true);
    this.seen.push(file);
  }

  /** The preflight with a 'Meiro CPS' session connected: its CPS row must fail. */
  async expectPreflightSeesCps(file: string): Promise<void> {
    const cps = new pg.Client({ connectionString: this.url, application_name: 'Meiro CPS' });
    await cps.connect();
    try {
      const rows = await this.rows(file);
      this.record(file, rows);
      expect(rows.filter((r) => r.ok !== true).map((r) => r.check_name), `${this.ex.name}/${file} with CPS connected`).toEqual(['no Meiro CPS session is connected']);
      this.seen.push(file);
    } finally {
      await cps.end();
    }
  }

  /**
   * The check in states a little off the one it is run in, each in a transaction rolled back, so
   * that every row of it is seen failing somewhere: the platform empty, a platform column
   * renamed, every entity and event reset (current schema), one row less in each working table,
   * every entity changed as CPS stitching during a pause changes it, every event stitched again
   * (current schema), another incident open and begun after this one, this incident not
   * registered, the user's
   * VIEWACTIVITY grant revoked,
   * an event that overlaps every entity only partly (current schema), Step 0's backup holding
   * every event and the matching backup holding every entity's rows (legacy: another version's
   * backups, reused), the entity backup holding every entity (current schema: the same).
   */
  async perturbed(file: string): Promise<void> {
    const { inputs } = this.ex.manifest;
    const schema = this.ex.manifest.schema === 'legacy' ? 'legacy' : 'current';
    const work = (
      await this.db.query<{ name: string }>(
        `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
         WHERE table_schema = $1 AND table_name LIKE $2 ORDER BY 1`,
        [inputs.workSchema, `${tablePrefix(inputs.incident)}\\_%`],
      )
    ).rows.map((r) => r.name);
    const registryName = sqlQualified(inputs.workSchema, INCIDENTS_TABLE);
    const registry = (await this.db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [registryName])).rows[0]?.t ? registryName : null;
    const states: string[][] = [
      [`TRUNCATE ${PLATFORM_TABLES[schema].join(', ')}`],
      [RENAMED_COLUMN[schema]],
      ...(schema === 'current'
        ? [
            ['UPDATE customer_events SET stitched = NULL, identifiers = NULL', 'UPDATE customer_attributes SET modified = NULL, calculated = NULL, identifiers = NULL'],
            // CPS stitched during a pause: every entity gained an identifier and a new modified.
            ["UPDATE customer_attributes SET identifiers = identifiers || ARRAY['gained-in-pause'], modified = now() + interval '1 second' WHERE identifiers IS NOT NULL"],
            // CPS stitched every event again during a pause.
            ["UPDATE customer_events SET stitched = now() + interval '1 second' WHERE stitched IS NOT NULL"],
            // CPS ran since the runbook began, with the old rule: every entity written again, every
            // event stitched again, to an identifier no entity holds, and so exported.
            [
              "UPDATE customer_attributes SET modified = now() + interval '1 second'",
              "UPDATE customer_events SET stitched = now() + interval '1 second', identifiers = identifiers || ARRAY['held-by-no-entity']",
              ...work.filter((t) => t.endsWith('_events_backup')).map((t) => `UPDATE ${t} SET stitched = now() + interval '1 second'`),
            ],
          ]
        : []),
      ...work.map((t) => [`DELETE FROM ${t} WHERE ctid = (SELECT min(ctid) FROM ${t})`]),
      // Another version of the runbook has stamped the working tables.
      ...work.filter((t) => t.endsWith('_backup_meta')).map((t) => [`INSERT INTO ${t} VALUES ('another-version', 'x', now())`]),
      // Another incident began changing the database after this one, and is open (the incident registry).
      ...(registry ? [[`INSERT INTO ${registry} VALUES ('another-incident', 'x', now() + interval '1 second', NULL, NULL)`]] : []),
      // This incident is not registered (its step 2 found another open).
      ...(registry ? [[`DELETE FROM ${registry} WHERE incident = ${sqlLiteral(inputs.incident)}`]] : []),
      // The runner's user no longer holds VIEWACTIVITY (CockroachDB preflight's visibility row).
      ['DELETE FROM crdb_internal.kv_system_privileges'],
      schema === 'current'
        ? [`INSERT INTO customer_events SELECT gen_random_uuid(), now(), '{}', now(), ARRAY[a.identifiers[1], 'only-partly']
            FROM customer_attributes AS a WHERE array_length(a.identifiers, 1) > 0`]
        : work.filter((t) => t.endsWith('_deleted_events_backup')).map((t) => `INSERT INTO ${t} SELECT * FROM cdp_ce.customer_events ON CONFLICT DO NOTHING`),
      // Legacy: the matching backup of another version of the runbook, for every entity (--reuse-backups).
      ...(schema === 'legacy'
        ? [work.filter((t) => t.endsWith('_matching_backup')).map((t) => `INSERT INTO ${t} SELECT * FROM cdp_ps.matching ON CONFLICT DO NOTHING`)]
        : []),
      // Current: the entity backup of another version of the runbook, holding every entity.
      ...(schema === 'current'
        ? [work.filter((t) => t.endsWith('_entities_backup')).map((t) => `INSERT INTO ${t} (customer_entity_id) SELECT customer_entity_id FROM customer_attributes ON CONFLICT DO NOTHING`)]
        : []),
    ];
    for (const state of states) {
      await this.db.query('BEGIN');
      try {
        for (const sql of state) await this.db.query(sql);
        // A check that cannot even run in a state (a renamed column) tells nothing about its rows.
        const rows = await this.db.query<Row>(this.sql(this.ex.dir, file)).then((r) => r.rows, () => []);
        this.record(file, rows);
      } finally {
        await this.db.query('ROLLBACK');
      }
    }
  }

  /** Runs step `n` (1-based) of the twin's runbook as the runner would; waits get the platform first. */
  async run(steps: Step[], n: number, undo: boolean): Promise<void> {
    const step = steps[n - 1] as Step;
    if (step.kind === 'manual') await this.platform.manual(slugOf(step.file));
    if (step.kind === 'wait') {
      for (let tries = 0; tries < 20 && (await this.rows(step.file)).some((r) => r.ok !== true); tries++) await this.platform.tick();
    }
    if (step.kind === 'check' || step.kind === 'wait') await this.perturbed(step.file);
    const report = await runInProcess(twinOf(this.ex).dir, this.url, { only: n, undo });
    expect(report.exitCode, `${this.ex.name} step ${step.file}: ${JSON.stringify(report.steps)}`).toBe(0);
    // The working tables only the example's own dialect has (the CockroachDB export's progress
    // table; PostgreSQL exports in one statement), beside the twin's: every CREATE is IF NOT EXISTS.
    if (twinOf(this.ex) !== this.ex && slugOf(step.file) === 'create-working-tables') await this.db.query(this.sql(this.ex.dir, step.file));
  }

  /** Whether `step` is a holding wait (`restitch:hold`): it must stay ok, there is nothing to wait for. */
  private holds(step: Step): boolean {
    return step.kind === 'wait' && /^-- restitch:hold /m.test(readFileSync(join(this.ex.dir, step.file), 'utf8'));
  }

  /** Walks `steps` in order, proving each check and wait can fail before running it. */
  async walk(steps: Step[], undo: boolean, until = steps.length): Promise<void> {
    for (let n = 1; n <= until; n++) {
      const step = steps[n - 1] as Step;
      if (step.kind === 'change' || step.kind === 'batch') {
        // A holding wait verifies the change before it as a check does (it passes at once after it).
        for (let k = n + 1; k <= steps.length && (steps[k - 1]?.kind === 'check' || this.holds(steps[k - 1] as Step)); k++) {
          const check = steps[k - 1] as Step;
          if (!INPUT_CHECKS.has(slugOf(check.file))) await this.expectFails(check.file, `before ${step.file}`);
        }
      }
      if (step.kind === 'check' && slugOf(step.file) === 'preflight' && this.sql(this.ex.dir, step.file).includes("'Meiro CPS'")) {
        await this.expectPreflightSeesCps(step.file);
      }
      if (step.kind === 'check' && !this.seen.includes(step.file)) {
        // No change before it that it verifies: it guards the input, and must fail in a state
        // a little off this one (the platform empty, a column renamed, ...).
        await this.perturbed(step.file);
        expect(this.names.get(step.file)?.failed.size, `${this.ex.name}/${step.file} verifies no step and fails in no state`).toBeGreaterThan(0);
        this.seen.push(step.file);
      }
      if (step.kind === 'wait' && !this.holds(step)) await this.expectFails(step.file, 'before the platform acted');
      await this.run(steps, n, undo);
    }
  }
}
