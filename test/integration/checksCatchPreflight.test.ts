/**
 * The preflight of every runbook and of every undo runbook stops on the faults it guards against
 * (docs/checks.md): a Meiro CPS session connected, another version's backups in the working
 * tables, working tables without this version's stamp, a platform column of another type. The
 * CockroachDB examples run their own preflight on the same data (test/helpers/checkCatch.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectCaught, type Fault } from '../helpers/checkCatch.js';
import { slugOf } from '../helpers/checkWalk.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const POSTGRES = examples().filter((e) => e.manifest.dialect === 'postgres');
/** multi-entity's preflight is proven in checksCatchMultiEntity.test.ts. */
const OTHERS = POSTGRES.filter((e) => e.manifest.scenario !== 'multi-entity');
const hasCpsRow = (e: (typeof POSTGRES)[number]) => e.manifest.scenario !== 'recalc-only';

/** A 'Meiro CPS' session connected while the check runs (pg_stat_activity is cluster-wide). */
const cpsConnected: Fault['fault'] = async () => {
  const cps = new pg.Client({ connectionString: server.url('postgres'), application_name: 'Meiro CPS' });
  await cps.connect();
  return () => cps.end();
};

/** A platform version whose column has another type than the runbook assumes. */
const columnRetyped = (legacy: boolean): Fault['fault'] => (db) =>
  db.query(
    legacy
      ? 'ALTER TABLE cdp_attr.customer_entities_audit ALTER COLUMN customer_entity_id TYPE text'
      : 'ALTER TABLE customer_events ALTER COLUMN stitched TYPE timestamp without time zone',
  );

/** The undo runs after the forward preflight (the working tables exist, nothing changed yet). */
const forwardTo = (ex: (typeof POSTGRES)[number]): string => slugOf(ex.manifest.steps.find((s) => slugOf(s.file) === 'preflight')?.file ?? '');

const COLUMNS = 'every table and column this runbook uses exists, with the assumed type';

describe('every preflight stops on the fault it guards against', () => {
  it('forward preflight of every other runbook: a CPS session, another version, no stamp, a retyped column', async () => {
    for (const ex of OTHERS) {
      const legacy = ex.manifest.schema === 'legacy';
      const incident = ex.manifest.inputs.incident;
      if (hasCpsRow(ex)) await expectCaught(server, [ex.name], { check: 'preflight', fault: cpsConnected, rows: ['no Meiro CPS session is connected'] });
      await expectCaught(server, [ex.name], {
        check: 'preflight',
        fault: (db, t) => db.query(`INSERT INTO ${t('backup_meta')} VALUES ('a-runbook-generated-with-other-inputs', '${incident}', now())`),
        rows: ['no other version of this runbook has used its working tables'],
      });
      await expectCaught(server, [ex.name], { check: 'preflight', fault: (db, t) => db.query(`DELETE FROM ${t('backup_meta')}`), rows: ['the working tables are stamped with this version of the runbook'] });
      await expectCaught(server, [ex.name], { check: 'preflight', fault: columnRetyped(legacy), rows: [COLUMNS] });
    }
  }, 120_000);

  it('undo preflight of every runbook: a CPS session connected, a retyped column', async () => {
    for (const ex of POSTGRES.filter(hasCpsRow)) {
      const legacy = ex.manifest.schema === 'legacy';
      const to = forwardTo(ex);
      await expectCaught(server, [ex.name], { check: 'preflight', undo: true, forwardTo: to, fault: cpsConnected, rows: ['no Meiro CPS session is connected'] });
      await expectCaught(server, [ex.name], { check: 'preflight', undo: true, forwardTo: to, fault: columnRetyped(legacy), rows: [COLUMNS] });
    }
  }, 120_000);

  it("CockroachDB preflights, forward and undo: the runner's user lacks VIEWACTIVITY, so CPS's sessions are hidden from it", async () => {
    for (const ex of POSTGRES.filter((e) => examples().some((c) => c.name === e.name.replace('-postgres', '-cockroachdb')) && hasCpsRow(e))) {
      for (const undo of [false, true]) {
        await expectCaught(server, [ex.name], {
          check: 'preflight',
          undo,
          forwardTo: undo ? forwardTo(ex) : undefined,
          cockroachOnly: true,
          fault: (db) => db.query('DELETE FROM crdb_internal.kv_system_privileges'),
          rows: ["this user sees every user's sessions"],
        });
      }
    }
  }, 60_000);
});
