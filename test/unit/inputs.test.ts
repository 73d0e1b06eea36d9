import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const UUID = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11';
const base = ['--incident', 'bad-input'];

describe('input validation (message and exit 2, nothing written)', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown scenario', ['generate', 'nope', '--dialect', 'postgres', ...base], /unknown scenario 'nope'; use one of: full-reset/],
    ['unknown dialect', ['generate', 'full-reset', '--dialect', 'mysql', ...base], /unknown dialect 'mysql'/],
    ['missing dialect', ['generate', 'full-reset', ...base], /--dialect is required/],
    ['unsupported pair', ['generate', 'legacy-steps', '--dialect', 'cockroachdb', '--entity', UUID, ...base], /not supported on cockroachdb; supported pairs: .*legacy-steps\/postgres/],
    ['bad slug', ['generate', 'full-reset', '--dialect', 'postgres', '--incident', 'Bad Slug'], /--incident 'Bad Slug' must be/],
    ['option that does not apply', ['generate', 'full-reset', '--dialect', 'postgres', '--where', 'true', ...base], /--where does not apply to full-reset/],
    ['oneshot with two entities', ['generate', 'entity-oneshot', '--dialect', 'postgres', '--entity', 'a', '--entity', 'b', ...base], /exactly one --entity \(got 2\)/],
    ['multi-entity without entities', ['generate', 'multi-entity', '--dialect', 'postgres', ...base], /needs at least one entity/],
    ['legacy id not a UUID', ['generate', 'legacy-steps', '--dialect', 'postgres', '--entity', 'abc', ...base], /'abc' is not a UUID/],
    ['legacy with entities and where', ['generate', 'legacy-steps', '--dialect', 'postgres', '--entity', UUID, '--where', 'true', ...base], /either by --entity/],
    ['second statement in where', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--where', 'true; DROP TABLE customer_events', ...base], /one condition, not several statements/],
    ['where escaping its parentheses', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--where', 'true) OR (true', ...base], /does not parse/],
    ['where with a trailing clause', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--where', 'true LIMIT 1', ...base], /only a condition; found limitCount/],
    ['where with a comment', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--where', 'true -- x', ...base], /must not contain comments/],
    ['bad batch size', ['generate', 'full-reset', '--dialect', 'postgres', '--batch-size', '0', ...base], /--batch-size must be a whole number/],
    ['bad time', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--event-time-from', 'yesterday', ...base], /ISO 8601/],
    ['reversed window', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a', '--event-time-from', '2026-02-01', '--event-time-to', '2026-01-01', ...base], /must be before/],
    ['platform work schema', ['generate', 'full-reset', '--dialect', 'postgres', '--work-schema', 'public', ...base], /--work-schema 'public'/],
    ['entity with a newline', ['generate', 'multi-entity', '--dialect', 'postgres', '--entity', 'a\nb', ...base], /without spaces or control characters/],
    ['missing entities file', ['generate', 'multi-entity', '--dialect', 'postgres', '--entities-file', '/nonexistent/ids.txt', ...base], /cannot be read: ENOENT/],
    ['unknown option', ['generate', 'full-reset', '--dialect', 'postgres', '--colour', ...base], /unknown option/],
  ];

  it.each(cases)('%s', (_name, args, message) => {
    const out = tempDir('bad');
    const target = join(out, 'runbook');
    const r = runCli([...args, '--out', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^(restitch|error):/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses to overwrite a runbook without --force, and replaces it with --force', () => {
    const out = join(tempDir('force'), 'rb');
    const args = ['generate', 'full-reset', '--dialect', 'postgres', '--incident', 'force-test', '--out', out];
    expect(runCli(args).code).toBe(0);
    const again = runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect(runCli([...args, '--force']).code).toBe(0);
  });

  it('reads an entities file, skipping blanks and comments, and names the line of a bad id', async () => {
    const dir = tempDir('ids');
    const file = join(dir, 'ids.txt');
    writeFileSync(file, `# incident ids\n${UUID}\n\n${UUID.toUpperCase()}\nnot-a-uuid\n`);
    const r = runCli(['generate', 'legacy-steps', '--dialect', 'postgres', '--incident', 'ids', '--entities-file', file, '--out', join(dir, 'rb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ids\.txt line 5: 'not-a-uuid' is not a UUID/);
    const inputs = await validateInputs({
      scenario: 'legacy-steps', dialect: 'postgres', incident: 'ids',
      entitiesFile: { path: 'ids.txt', content: `# c\n${UUID}\n\n${UUID.toUpperCase()}\n` },
    });
    expect(inputs.entities.list()).toEqual([UUID]);
    expect(inputs.workSchema).toBe('temp_table');
  });
});

describe('event_time window without an offset', () => {
  const window = (from: string, to?: string) =>
    validateInputs({
      scenario: 'multi-entity', dialect: 'postgres', incident: 'tz',
      entity: ['a'], eventTimeFrom: from, ...(to === undefined ? {} : { eventTimeTo: to }),
    });

  it('is taken as UTC and written with Z, so the session TimeZone of psql, cockroach sql or the runner cannot move it', async () => {
    const inputs = await window('2026-01-01T11:30', '2026-01-02');
    expect(inputs.eventTimeFrom).toBe('2026-01-01T11:30Z');
    expect(inputs.eventTimeTo).toBe('2026-01-02T00:00:00Z');
    expect((await window('2026-01-01 11:30:15.25')).eventTimeFrom).toBe('2026-01-01T11:30:15.25Z');
  });

  it('keeps an explicit offset as given', async () => {
    expect((await window('2026-01-01T11:30:00+02:00')).eventTimeFrom).toBe('2026-01-01T11:30:00+02:00');
    expect((await window('2026-01-01T11:30:00-0500')).eventTimeFrom).toBe('2026-01-01T11:30:00-0500');
    expect((await window('2026-01-01T11:30:00Z')).eventTimeFrom).toBe('2026-01-01T11:30:00Z');
  });
});
