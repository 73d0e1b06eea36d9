/**
 * The preflight of every runbook and of every undo runbook stops on the faults it guards against
 * (docs/checks.md): a Meiro CPS session connected, another version's backups in the working
 * tables, working tables without this version's stamp, a platform column of another type. The
 * CockroachDB examples run their own preflight on the same data (test/helpers/checkCatch.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectCaught, expectEachCaught, type Fault } from '../helpers/checkCatch.js';
import { slugOf } from '../helpers/checkWalk.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const POSTGRES = examples().filter((e) => e.manifest.dialect === 'postgres');
const hasCpsRow = (e: (typeof POSTGRES)[number]) => e.manifest.scenario !== 'recalc-only';

/** A 'Meiro CPS' session connected while the check runs (pg_stat_activity is cluster-wide). */
const cpsConnected: Fault['fault'] = async () => {
  const cps = new pg.Client({ connectionString: server.url('postgres'), application_name: 'Meiro CPS' });
  await cps.connect();
  return () => cps.end();
};

/** A platform version whose column has another type than the runbook assumes (taken back after). */
const columnRetyped =
  (legacy: boolean): Fault['fault'] =>
  async (db) => {
    const [table, column, type] = legacy
      ? ['cdp_attr.customer_entities_audit', 'customer_entity_id', 'uuid']
      : ['customer_events', 'stitched', 'timestamp with time zone'];
    await db.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${legacy ? 'text' : 'timestamp without time zone'}`);
    return () => db.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} USING ${column}::${type}`);
  };

/** The stamp of another version of the runbook in the working tables (taken back after). */
const otherVersion =
  (incident: string): Fault['fault'] =>
  async (db, t) => {
    await db.query(`INSERT INTO ${t('backup_meta')} VALUES ('a-runbook-generated-with-other-inputs', '${incident}', now())`);
    return () => db.query(`DELETE FROM ${t('backup_meta')} WHERE fingerprint = 'a-runbook-generated-with-other-inputs'`);
  };

/** The working tables without this version's stamp (put back after). */
const noStamp: Fault['fault'] = async (db, t) => {
  const { rows } = await db.query<{ fingerprint: string; incident: string; taken_at: Date }>(`DELETE FROM ${t('backup_meta')} RETURNING fingerprint, incident, taken_at`);
  return async () => {
    for (const r of rows) await db.query(`INSERT INTO ${t('backup_meta')} (fingerprint, incident, taken_at) VALUES ($1, $2, $3)`, [r.fingerprint, r.incident, r.taken_at]);
  };
};

/** The undo runs after the forward preflight (the working tables exist, nothing changed yet). */
const forwardTo = (ex: (typeof POSTGRES)[number]): string => slugOf(ex.manifest.steps.find((s) => slugOf(s.file) === 'preflight')?.file ?? '');

const COLUMNS = 'every table and column this runbook uses exists, with the assumed type';

describe('every preflight stops on the fault it guards against', () => {
  it('forward preflight of every runbook: a CPS session, another version, no stamp, a retyped column', async () => {
    for (const ex of POSTGRES) {
      const legacy = ex.manifest.schema === 'legacy';
      await expectEachCaught(server, [ex.name], { check: 'preflight' }, [
        ...(hasCpsRow(ex) ? [{ fault: cpsConnected, rows: ['no Meiro CPS session is connected'] }] : []),
        { fault: otherVersion(ex.manifest.inputs.incident), rows: ['no other version of this runbook has used its working tables'] },
        { fault: noStamp, rows: ['the working tables are stamped with this version of the runbook'] },
        { fault: columnRetyped(legacy), rows: [COLUMNS] },
      ]);
    }
  }, 120_000);

  it('undo preflight of every runbook: a CPS session connected, a retyped column', async () => {
    for (const ex of POSTGRES.filter(hasCpsRow)) {
      await expectEachCaught(server, [ex.name], { check: 'preflight', undo: true, forwardTo: forwardTo(ex) }, [
        { fault: cpsConnected, rows: ['no Meiro CPS session is connected'] },
        { fault: columnRetyped(ex.manifest.schema === 'legacy'), rows: [COLUMNS] },
      ]);
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
