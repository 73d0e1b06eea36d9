import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { ev, seedLegacy } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';
import { runInProcess } from '../helpers/runner.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const ORPHANS = join(EXAMPLES_DIR, 'orphan-recovery-postgres');
const QUEUE_ORPHANS = 5;

describe('queue rows belong to the runbook that wrote them', () => {
  it('the orphan-recovery undo takes back its own queue row and leaves the row another runbook queued for the same event', async () => {
    const db = await server.database('queue_owner', LEGACY_SCHEMA_DDL);
    await seedLegacy(db);
    const forward = await runInProcess(ORPHANS, server.url('queue_owner'), { yes: true, confirm: [1], to: QUEUE_ORPHANS + 1 });
    expect(forward.exitCode, JSON.stringify(forward.steps.filter((s) => s.status !== 'done'))).toBe(0);
    const queued = await db.query<{ created: Date }>('SELECT created FROM cdp_ps.customer_events_to_process WHERE customer_event_id = $1', [ev(7)]);
    expect(queued.rows).toHaveLength(1);
    // Another runbook (legacy-steps Step 5 lists the events of its entities) queues event 7 again, later.
    await db.query(`INSERT INTO cdp_ps.customer_events_to_process VALUES ($1, clock_timestamp() + interval '1 second')`, [ev(7)]);

    const undo = await runInProcess(ORPHANS, server.url('queue_owner'), { undo: true, yes: true, confirm: [1] });
    expect(undo.exitCode, JSON.stringify(undo.steps.filter((s) => s.status !== 'done'))).toBe(0);
    const left = await db.query<{ created: Date }>('SELECT created FROM cdp_ps.customer_events_to_process WHERE customer_event_id = $1', [ev(7)]);
    // The other runbook's row stays: CPS still sees the event it queued.
    expect(left.rows).toHaveLength(1);
    expect(left.rows[0]!.created.getTime()).toBeGreaterThan(queued.rows[0]!.created.getTime());
    await db.end();
  });
});
