/**
 * The runbook.md section on what the backups and the database need during the window: the disk
 * of each backup, sized from the catalog before anything runs, and the WAL (PostgreSQL) or MVCC
 * history (CockroachDB) the reset writes. Read-only queries a person runs; nothing here is a check.
 */
import type { Dialect } from './dialects/index.js';
import type { WorkTableDef } from './workTables.js';

/** Lines of the section, or none when the runbook backs up no events. */
export function windowNeeds(dialect: Dialect, tables: readonly WorkTableDef[], allEvents: boolean): string[] {
  const events = tables.find((t) => t.key === 'eventsBackup');
  if (!events) return [];
  const scope = allEvents ? 'every event (a full copy of two columns and the key)' : 'the events of the chosen entities (at most every event)';
  const sizing =
    dialect.name === 'postgres'
      ? [
          `Size it before starting (read-only, from the catalog: \`pg_class.reltuples\` and the \`pg_stats.avg_width\` of \`identifiers\`, so run \`ANALYZE customer_events\` first if they are old; https://www.postgresql.org/docs/current/view-pg-stats.html). About ${dialect.backupRowBytes.event} bytes a row go to the id, stitched, the position, the tuple header and the entries of the backup's two indexes, beside the identifiers; the checks that follow each backup print its size as taken:`,
          '',
          '```sql',
          'SELECT c.reltuples::bigint AS events,',
          `  pg_size_pretty((c.reltuples * (${dialect.backupRowBytes.event} + coalesce(s.avg_width, 0)))::bigint) AS events_backup_if_every_event`,
          'FROM pg_class AS c',
          "LEFT JOIN pg_stats AS s ON s.schemaname = 'public' AND s.tablename = 'customer_events' AND s.attname = 'identifiers'",
          "WHERE c.oid = 'customer_events'::regclass;",
          '```',
          '',
          'WAL: every reset event is rewritten with its index entries; one UPDATE of 3,000,000 events (a GIN index on identifiers, btrees on customer_entity_id and event_time) wrote 9.9 GB of WAL over 18 checkpoints, about 3.3 kB an event. Keep that much free on the WAL volume, and raise `max_wal_size` for the window (e.g. to 16GB) so that checkpoints follow `checkpoint_timeout` instead of the WAL volume (https://www.postgresql.org/docs/current/wal-configuration.html); replicas and archiving must keep up with the same volume.',
        ]
      : [
          `Size it before starting: the row count of the newest statistics of \`customer_events\` (\`SHOW STATISTICS FOR TABLE customer_events\`, https://www.cockroachlabs.com/docs/stable/show-statistics) times about ${dialect.backupRowBytes.event} bytes of key, stitched and position a row plus the identifiers' text, before replication; the checks after each backup print its size reckoned the same way. The per-row width restitch reads from \`pg_stats\` is PostgreSQL-only, so check \`SHOW RANGES FROM TABLE\` sizes of a backup part-way through the export.`,
          '',
          'MVCC history: every reset event keeps its previous version until garbage collection (`gc.ttlseconds` of the zone, https://www.cockroachlabs.com/docs/stable/configure-replication-zones): during the window the table grows by about the size of the rows reset, times the replication factor.',
        ];
  return ['## Disk and database during the window', '', `The events backup \`${events.name}\` holds ${scope}; it is kept until the working tables are dropped after the incident.`, '', ...sizing, ''];
}
