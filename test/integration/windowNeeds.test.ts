/** runbook.md's sizing query for the events backup runs read-only on a real PostgreSQL and sizes it from the catalog. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { seedCurrent, seedGluedEvents } from '../../src/sandbox/seed.js';
import { TestServer } from '../helpers/database.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';

const server = new TestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

describe('runbook.md: disk during the window', () => {
  it('sizes the full-reset events backup from pg_class and pg_stats, read-only', async () => {
    const md = readFileSync(join(EXAMPLES_DIR, 'full-reset-postgres', 'runbook.md'), 'utf8');
    const sql = /## Disk and database during the window[\s\S]*?```sql\n([\s\S]*?)```/.exec(md)?.[1];
    expect(sql).toBeDefined();
    const db = await server.database('window', CURRENT_SCHEMA_DDL);
    await seedCurrent(db);
    await seedGluedEvents(db, 5000);
    await db.query('ANALYZE customer_events');
    await db.query('BEGIN READ ONLY');
    const row = (await db.query(sql as string)).rows[0] as { events: string; events_backup_if_every_event: string };
    await db.query('ROLLBACK');
    expect(Number(row.events)).toBeGreaterThan(4000);
    expect(row.events_backup_if_every_event).toMatch(/^\d+ (kB|MB)$/);
    await db.end();
  });
});
