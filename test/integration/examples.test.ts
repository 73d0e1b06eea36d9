import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../../src/sandbox/schema.js';
import { fixedRule } from '../../src/sandbox/simulator.js';
import { TestServer } from '../helpers/database.js';
import { examples } from '../helpers/examples.js';
import { executeSteps, simulatedPlatform, type Platform } from '../../src/sandbox/rehearsal.js';
import { E1, E2, E3, L1, L3, ev, seedCurrent, seedLegacy, snapshot } from '../../src/sandbox/seed.js';

const server = new TestServer();
const postgresExamples = examples().filter((e) => e.manifest.dialect === 'postgres');
let dbCount = 0;

beforeAll(() => server.start());
afterAll(() => server.stop());

async function fresh(legacy: boolean): Promise<{ db: pg.Client; name: string }> {
  const name = `t${++dbCount}`;
  const db = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
  await (legacy ? seedLegacy(db) : seedCurrent(db));
  return { db, name };
}

const platform = simulatedPlatform;

const steps = (ex: (typeof postgresExamples)[number], dir: '' | 'undo/') =>
  ex.files.filter((f) => f.path.endsWith('.sql') && (dir === '' ? !f.path.includes('/') : f.path.startsWith(dir)));

type Row = Record<string, unknown>;
const byId = (rows: unknown[], key: string) => new Map((rows as Row[]).map((r) => [String(r[key]), r]));

describe.each(postgresExamples.map((e) => [e.name, e] as const))('%s on a real PostgreSQL', (_name, ex) => {
  const legacy = ex.manifest.schema === 'legacy';

  it('runs step by step and leaves exactly the promised data', async () => {
    const { db } = await fresh(legacy);
    const before = await snapshot(db, legacy);
    await executeSteps(db, steps(ex, ''), platform(db, legacy));
    const after = await snapshot(db, legacy);
    const scenario = ex.manifest.scenario;
    if (!legacy) {
      const beforeEvents = byId(before.events ?? [], 'id');
      const afterEvents = byId(after.events ?? [], 'id');
      const afterEntities = byId(after.entities ?? [], 'customer_entity_id');
      const reset: Record<string, number[]> = {
        'full-reset': [1, 2, 3, 4, 5, 6, 7],
        'entity-oneshot': [1, 2, 3],
        'multi-entity': [1, 2, 3, 4, 5],
        'recalc-only': [],
      };
      const expected = reset[scenario] ?? [];
      for (let n = 1; n <= 7; n++) {
        const was = beforeEvents.get(ev(n));
        const now = afterEvents.get(ev(n));
        if (expected.includes(n)) {
          expect(now?.stitched, `event ${n} re-stitched`).not.toEqual(was?.stitched);
          const payload = (now?.payload ?? {}) as Record<string, unknown>;
          const id = fixedRule(payload.ps_identifier);
          expect(now?.identifiers, `event ${n} identifiers by the fixed rule`).toEqual(id === null ? [] : [id]);
        } else {
          expect(now, `event ${n} untouched`).toEqual(was);
        }
      }
      const gone = { 'full-reset': [E1, E2, E3], 'entity-oneshot': [E1], 'multi-entity': [E1, E2], 'recalc-only': [] }[scenario] ?? [];
      for (const id of [E1, E2, E3]) {
        if (gone.includes(id)) expect(afterEntities.has(id), `${id} deleted`).toBe(false);
        else if (scenario === 'recalc-only' && id !== E3) {
          const was = byId(before.entities ?? [], 'customer_entity_id').get(id);
          const now = afterEntities.get(id);
          expect(now?.calculated).not.toEqual(was?.calculated);
          expect({ ...now, calculated: null }).toEqual({ ...was, calculated: null });
        } else expect(afterEntities.get(id), `${id} untouched`).toEqual(byId(before.entities ?? [], 'customer_entity_id').get(id));
      }
    } else {
      const beforeMatching = byId(before.matching ?? [], 'customer_event_id');
      const afterMatching = byId(after.matching ?? [], 'customer_event_id');
      const afterEvents = byId(after.events ?? [], 'id');
      expect(after.queue).toEqual([]);
      expect(after.audit).toEqual([]);
      if (ex.manifest.inputs.deleteEvents) {
        for (const n of [4, 5]) {
          expect(afterEvents.has(ev(n)), `event ${n} deleted`).toBe(false);
          expect(afterMatching.has(ev(n)), `event ${n} unmatched`).toBe(false);
        }
        for (const n of [1, 2, 3, 6]) expect(afterMatching.get(ev(n))).toEqual(beforeMatching.get(ev(n)));
      } else if (scenario === 'legacy-steps') {
        for (const n of [1, 2, 3]) {
          const m = afterMatching.get(ev(n)) as Row | undefined;
          expect(m, `event ${n} stitched again`).toBeDefined();
          expect(m?.customer_entity_id, `event ${n} left the glued entity`).not.toBe(L1);
        }
        for (const n of [4, 5, 6]) expect(afterMatching.get(ev(n))).toEqual(beforeMatching.get(ev(n)));
        expect(afterMatching.has(ev(7))).toBe(false);
      } else {
        expect(afterMatching.has(ev(7)), 'orphan stitched').toBe(true);
        for (const n of [1, 2, 3, 4, 5, 6]) expect(afterMatching.get(ev(n))).toEqual(beforeMatching.get(ev(n)));
      }
      expect(afterMatching.get(ev(6))).toEqual({ customer_event_id: ev(6), customer_entity_id: L3 });
      expect(after.events?.length).toBe((before.events?.length ?? 0) - (ex.manifest.inputs.deleteEvents ? 2 : 0));
    }
    await db.end();
  });

  it('is undone exactly by its undo runbook right after the destructive steps', async () => {
    const { db } = await fresh(legacy);
    const before = await snapshot(db, legacy);
    const forward = steps(ex, '');
    const stop = forward.findIndex((f) => /-(entities-deleted|entity-deleted|recalculated|enable-cps)\.sql$/.test(f.path));
    expect(stop).toBeGreaterThan(0);
    const quiet: Platform = { manual: async () => {}, tick: async () => {} };
    await executeSteps(db, forward.slice(0, stop), quiet);
    expect(await snapshot(db, legacy)).not.toEqual(before);
    await executeSteps(db, steps(ex, 'undo/'), quiet);
    expect(await snapshot(db, legacy)).toEqual(before);
    await db.end();
  });

  it('pastes into psql: every file runs with ON_ERROR_STOP', async () => {
    const { db, name } = await fresh(legacy);
    const p = platform(db, legacy);
    for (const file of steps(ex, '')) {
      if (/-(enable|disable)-cps\.sql$/.test(file.path)) await p.manual(file.path.replace(/^\d+-|\.sql$/g, ''));
      await p.tick();
      const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(ex.dir, file.path)], { env: server.env(name), encoding: 'utf8' });
      expect(r.status, `${file.path}: ${r.stderr}`).toBe(0);
    }
    await db.end();
  });
});
