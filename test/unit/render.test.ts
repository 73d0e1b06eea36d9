import { describe, expect, it } from 'vitest';
import { bundleRunbook } from '../../src/core/bundle.js';
import { parseHeader } from '../../src/core/directives.js';
import { validateInputs } from '../../src/core/inputs.js';
import { renderRunbook } from '../../src/core/render.js';
import { SCENARIOS } from '../../src/core/scenarios/index.js';
import type { RenderedStep } from '../../src/core/types.js';
import { loadTemplates } from '../../src/io/templateStore.js';

const templates = loadTemplates();
const UUID = '3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11';

async function render(scenario: string, dialect: string, extra: Record<string, unknown> = {}) {
  const needsEntity = ['entity-oneshot', 'multi-entity', 'recalc-only', 'legacy-steps'].includes(scenario);
  const inputs = await validateInputs({ scenario, dialect, incident: 'unit', ...(needsEntity ? { entity: [UUID] } : {}), ...extra });
  return renderRunbook(inputs, templates, '0.0.0-test');
}

const pairs = SCENARIOS.flatMap((s) => s.dialects.map((d) => [s.name, d] as const));

describe.each(pairs)('%s on %s', (scenario, dialect) => {
  it('renders the same bytes twice', async () => {
    const a = await render(scenario, dialect);
    const b = await render(scenario, dialect);
    expect(a.files).toEqual(b.files);
  });

  it('numbers steps from 01 without gaps, and every header parses back', async () => {
    const rb = await render(scenario, dialect);
    for (const list of [rb.steps, rb.undo]) {
      list.forEach((step, i) => {
        expect(step.file.path).toMatch(new RegExp(`^(undo/)?${String(i + 1).padStart(2, '0')}-[a-z0-9-]+\\.sql$`));
        const { header } = parseHeader(step.file.content, step.file.path);
        expect(header.number).toBe(i + 1);
        expect(header.total).toBe(list.length);
        expect(header.kind).toBe(step.header.kind);
      });
    }
  });

  it('follows every change or batch with a check or wait', async () => {
    const rb = await render(scenario, dialect);
    for (const list of [rb.steps, rb.undo]) {
      list.forEach((step: RenderedStep, i: number) => {
        if (step.header.kind === 'change' || step.header.kind === 'batch') {
          expect(['check', 'wait'], `${step.file.path} is followed by ${list[i + 1]?.file.path}`).toContain(list[i + 1]?.header.kind);
        }
      });
    }
  });

  it('starts with the preflight when it re-stitches, and backs up before it destroys', async () => {
    const rb = await render(scenario, dialect);
    const slugs = rb.steps.map((s) => s.slug);
    if (scenario !== 'recalc-only') {
      expect(slugs.slice(0, 3)).toEqual(['disable-cps', 'create-working-tables', 'preflight']);
    }
    const firstBackup = slugs.findIndex((s) => /backup|export/.test(s));
    const destructive = rb.steps.findIndex((s) => /\b(UPDATE\s+customer_|DELETE FROM\s+cdp_|INSERT INTO\s+cdp_)/.test(s.file.content.replace(/^--.*$/gm, '')));
    expect(destructive).toBeGreaterThan(0);
    if (scenario !== 'orphan-recovery') expect(firstBackup).toBeGreaterThan(-1);
    if (firstBackup > -1) expect(firstBackup).toBeLessThan(destructive);
    expect(rb.undo.length).toBeGreaterThan(0);
  });

  it('writes a checklist line per step in runbook.md', async () => {
    const rb = await render(scenario, dialect);
    const md = rb.files.find((f) => f.path === 'runbook.md')?.content ?? '';
    for (const step of [...rb.steps, ...rb.undo]) expect(md).toContain(`\`${step.file.path}\``);
    expect(md.match(/^- \[ \]/gm)?.length).toBe(rb.steps.length + rb.undo.length);
  });
});

describe('rendering details', () => {
  it('writes the ids once, sorted by their bytes and COPY-escaped, in entities.txt; no step holds one', async () => {
    const ids = ["o'brien-id", 'back\\slash-id', '#hash-id', 'zz\u{1F600}-id', 'zz\uFF21-id', 'Aid-1', 'eid-2', 'eid-10'];
    const rb = await render('multi-entity', 'postgres', { entity: ids });
    const file = rb.files.find((f) => f.path === 'entities.txt');
    // Code point order (= UTF-8 byte order): U+FF21 before U+1F600, although UTF-16 order says otherwise.
    expect(file?.content).toBe(['#hash-id', 'Aid-1', 'back\\\\slash-id', 'eid-10', 'eid-2', "o'brien-id", 'zz\uFF21-id', 'zz\u{1F600}-id'].join('\n') + '\n');
    for (const f of rb.files.filter((x) => x.path !== 'entities.txt')) {
      for (const id of ids) expect(f.content.includes(id), `${f.path} holds ${id}`).toBe(false);
    }
    const load = rb.steps.find((s) => s.slug === 'load-entities');
    expect(load?.header.copyFrom).toBe('entities.txt');
    expect(load?.file.content).toMatch(/^COPY external_data\.rs_unit_entities \(customer_entity_id\) FROM STDIN;$/m);
  });

  it('keeps CockroachDB batches at normal priority and 2000 rows unless asked, and reads stale only before changes and in the wait for re-stitching', async () => {
    const rb = await render('full-reset', 'cockroachdb');
    for (const step of rb.steps) {
      if (step.header.kind === 'batch') {
        expect(step.header.priority, step.file.path).toBeUndefined();
        expect(step.file.content, step.file.path).toMatch(/^ {2}LIMIT 2000 -- restitch:batch-size$/m);
        expect(step.file.content, step.file.path).not.toMatch(/priority/i);
      }
      const usesStale = step.file.content.includes('AS OF SYSTEM TIME');
      // The scope before anything changes, and the wait for re-stitching (once true in the past, true now).
      expect(usesStale, step.file.path).toBe(step.slug === 'scope' || step.slug === 'restitched');
    }
    const bundle = bundleRunbook(JSON.parse(rb.files.find((f) => f.path === 'manifest.json')!.content), rb.files);
    expect(bundle).not.toMatch(/default_transaction_priority|PRIORITY HIGH/i);
    const pg = await render('full-reset', 'postgres');
    expect(pg.files.some((f) => f.content.includes('AS OF SYSTEM TIME'))).toBe(false);
    expect(pg.steps.find((s) => s.header.kind === 'batch')?.file.content).toMatch(/^ {2}LIMIT 10000 -- restitch:batch-size$/m);
  });

  it('--priority high: HIGH per batch transaction (header, by-hand note, bundle), never session-wide; CockroachDB only', async () => {
    const rb = await render('multi-entity', 'cockroachdb', { priority: 'high' });
    const batches = rb.steps.filter((s) => s.header.kind === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const step of batches) {
      expect(step.header.priority).toBe('high');
      expect(step.file.content).toContain('BEGIN TRANSACTION PRIORITY HIGH; <statement>');
    }
    const bundle = bundleRunbook(JSON.parse(rb.files.find((f) => f.path === 'manifest.json')!.content), rb.files);
    expect(bundle).not.toMatch(/^SET default_transaction_priority/im);
    expect(bundle.match(/^BEGIN TRANSACTION PRIORITY HIGH;$/gm)).toHaveLength(batches.length);
    await expect(render('multi-entity', 'postgres', { priority: 'high' })).rejects.toThrow(/--priority high does not exist on PostgreSQL/);
    await expect(render('entity-oneshot', 'cockroachdb', { priority: 'high' })).rejects.toThrow(/has none/);
    await expect(render('full-reset', 'cockroachdb', { priority: 'urgent' })).rejects.toThrow(/normal or high/);
  });

  it('checks CPS sessions the right way for each dialect', async () => {
    const crdb = (await render('multi-entity', 'cockroachdb')).steps.find((s) => s.slug === 'preflight')?.file.content ?? '';
    const pg = (await render('multi-entity', 'postgres')).steps.find((s) => s.slug === 'preflight')?.file.content ?? '';
    expect(crdb).toContain('FROM [SHOW CLUSTER SESSIONS]');
    expect(crdb).not.toMatch(/^[^-]*crdb_internal/m);
    expect(crdb).not.toMatch(/^[^-]*pg_stat_activity/m);
    expect(crdb).not.toContain('pg_terminate_backend');
    expect(pg).toContain('pg_stat_activity');
  });
});
