import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDialect } from '../../src/core/dialects/index.js';
import { parseHeader } from '../../src/core/directives.js';
import { splitSchemaChanges } from '../../src/runner/schemaChanges.js';
import { EXAMPLES_DIR } from '../helpers/examples.js';

const crdb = getDialect('cockroachdb');

describe('a change step split at its schema changes (CockroachDB: autocommit_before_ddl)', () => {
  it('create-working-tables: every CREATE on its own, the stamp and the incident registration alone in the data part', async () => {
    const { body } = parseHeader(readFileSync(join(EXAMPLES_DIR, 'multi-entity-cockroachdb', '02-create-working-tables.sql'), 'utf8'));
    const { schema, data } = await splitSchemaChanges(body, crdb, '02-create-working-tables.sql');
    expect(schema[0]).toBe('CREATE SCHEMA IF NOT EXISTS external_data');
    expect(schema.every((s) => /^CREATE (SCHEMA|TABLE|INDEX) IF NOT EXISTS /.test(s))).toBe(true);
    expect(schema.join('\n')).not.toMatch(/INSERT/);
    expect(data).toMatch(/^INSERT INTO external_data\.rs_example_multi_backup_meta[\s\S]*ON CONFLICT \(fingerprint\) DO NOTHING;\n[\s\S]*INSERT INTO external_data\.restitch_incidents [\s\S]*ON CONFLICT \(incident\) DO NOTHING;$/);
    expect(data).not.toMatch(/CREATE/);
  });

  it('refuses a schema change after a data statement, naming the file; keeps a body without schema changes whole', async () => {
    await expect(splitSchemaChanges('INSERT INTO t VALUES (1);\nCREATE INDEX i ON t (a);', crdb, 'x.sql')).rejects.toThrow(/^x\.sql: a schema change after a data statement/);
    const body = 'UPDATE t SET a = 1 WHERE b = 2;\nDELETE FROM t WHERE a = 3;';
    expect(await splitSchemaChanges(body, crdb, 'x.sql')).toEqual({ schema: [], data: body });
  });
});
