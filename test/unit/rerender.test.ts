/**
 * `run` and `check` re-render a runbook from its manifest's inputs and refuse any difference, so
 * every generate option must come back through the manifest: a runbook generated with any of them
 * re-renders to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { validateInputs } from '../../src/core/inputs.js';
import { parseManifest } from '../../src/core/manifest.js';
import { renderRunbook } from '../../src/core/render.js';
import { toolVersion } from '../../src/io/packageInfo.js';
import { rerender } from '../../src/io/rerender.js';
import { loadTemplates } from '../../src/io/templateStore.js';

const templates = loadTemplates();
const E = ['3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11', '9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33'];

const cases: [string, Record<string, unknown>][] = [
  ['--priority high', { scenario: 'multi-entity', dialect: 'cockroachdb', entity: E, priority: 'high' }],
  ['--where, --batch-size, --work-schema', { scenario: 'multi-entity', dialect: 'postgres', entity: E, where: "payload->>'source' = 'web'", batchSize: '500', workSchema: 'ops_work' }],
  ['the event_time window', { scenario: 'multi-entity', dialect: 'cockroachdb', entity: E, eventTimeFrom: '2026-01-01', eventTimeTo: '2026-02-01' }],
  ['--max-events', { scenario: 'entity-oneshot', dialect: 'postgres', entity: [E[0]], maxEvents: '5000' }],
  ['--delete-where', { scenario: 'legacy-steps', dialect: 'postgres', entity: E, deleteWhere: "event_type = 'junk'" }],
  ['--reuse-backups', { scenario: 'full-reset', dialect: 'postgres', reuseBackups: true }],
];

describe('re-rendering from manifest.json', () => {
  it.each(cases)('gives the same bytes for a runbook generated with %s', async (_name, raw) => {
    const generated = renderRunbook(await validateInputs({ incident: 'rr', ...raw } as Parameters<typeof validateInputs>[0]), templates, toolVersion()).files;
    const manifest = parseManifest(generated.find((f) => f.path === 'manifest.json')!.content, 'manifest.json');
    expect(await rerender(manifest, templates, generated)).toEqual(generated);
  });
});
