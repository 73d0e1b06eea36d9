import { expect } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { fixedRule } from '../../src/sandbox/simulator.js';
import { E1, E2, E3, L1, L3, ev } from '../../src/sandbox/seed.js';

type Row = Record<string, unknown>;
type Snapshot = Record<string, unknown[]>;
const byId = (rows: unknown[], key: string) => new Map((rows as Row[]).map((r) => [String(r[key]), r]));

/** Asserts that `after` is exactly what the example's scenario promises for the seeded `before`. */
export function expectPromisedOutcome(manifest: Manifest, before: Snapshot, after: Snapshot): void {
  const legacy = manifest.schema === 'legacy';
    const scenario = manifest.scenario;
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
      const cleaned = scenario === 'legacy-steps' ? [L1] : [];
      expect((after.audit as Row[]).map((a) => [a.customer_entity_id, a.action])).toEqual(cleaned.map((id) => [id, 'delete']));
      if (scenario === 'legacy-steps') {
        const deleted = manifest.inputs.deleteWhere !== null ? [1, 2] : [];
        for (const n of deleted) expect(afterEvents.has(ev(n)), `event ${n} deleted by Step 0`).toBe(false);
        // "None" is no identifier under the corrected rule: CPS leaves those events unmatched.
        for (const n of [1, 2]) expect(afterMatching.has(ev(n)), `event ${n} left unmatched`).toBe(false);
        const m = afterMatching.get(ev(3)) as Row | undefined;
        expect(m, 'event 3 stitched again').toBeDefined();
        expect(m?.customer_entity_id, 'event 3 left the glued entity').not.toBe(L1);
        for (const n of [4, 5, 6]) expect(afterMatching.get(ev(n))).toEqual(beforeMatching.get(ev(n)));
        expect(afterMatching.has(ev(7))).toBe(false);
      } else {
        expect(afterMatching.has(ev(7)), 'orphan stitched').toBe(true);
        for (const n of [1, 2, 3, 4, 5, 6]) expect(afterMatching.get(ev(n))).toEqual(beforeMatching.get(ev(n)));
      }
      expect(afterMatching.get(ev(6))).toEqual({ customer_event_id: ev(6), customer_entity_id: L3 });
      expect(after.events?.length).toBe((before.events?.length ?? 0) - (manifest.inputs.deleteWhere ? 2 : 0));
    }
}
