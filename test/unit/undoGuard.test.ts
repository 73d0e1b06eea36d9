import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/core/directives.js';
import { loadSteps } from '../../src/core/steps.js';
import type { JournalRow } from '../../src/runner/journal.js';
import { noReturnPassed, regenerateAdvice, undoneRow } from '../../src/runner/undoGuard.js';
import { examples } from '../helpers/examples.js';

const all = examples();
const byName = (name: string) => {
  const ex = all.find((e) => e.name === name);
  if (!ex) throw new Error(`no example ${name}`);
  return ex;
};

function row(file: string, status: JournalRow['status'], checksum = 'a'): JournalRow {
  return {
    runbook: 'x', checksum, step: Number(file.slice(0, 2)), file, kind: 'check', title: '', status,
    started_at: null, finished_at: null, rows_affected: 0, batches: 0, progress_done: null, progress_total: null, attempts: 1, error: null,
  };
}

describe('point of no return', () => {
  it('is one step per scenario that has one, named in runbook.md by number', () => {
    const expected: Record<string, string | null> = {
      'full-reset': 'entities-deleted',
      'multi-entity': 'entities-deleted',
      'entity-oneshot': 'entity-deleted',
      'recalc-only': null,
      'legacy-steps': 'queue-entity-deletes',
      'orphan-recovery': 'enable-cps',
    };
    for (const ex of all) {
      const steps = loadSteps(ex.manifest, ex.files, false);
      const marked = steps.filter((s) => s.header.pointOfNoReturn);
      const md = ex.files.find((f) => f.path === 'runbook.md')?.content ?? '';
      const slug = expected[ex.manifest.scenario];
      if (slug === null) {
        expect(marked, ex.name).toEqual([]);
        expect(md).toContain('**No point of no return:**');
        continue;
      }
      expect(marked.map((s) => s.slug), ex.name).toEqual([slug]);
      const n = marked[0]?.header.number;
      expect(md, ex.name).toContain(`**Point of no return: step ${n}**`);
      expect(marked[0]?.header.notes.join(' '), ex.name).toContain(`from step ${n} on, the way back is forward: re-stitching`);
      for (const s of loadSteps(ex.manifest, ex.files, true)) expect(s.header.pointOfNoReturn, `${ex.name} ${s.file}`).toBeUndefined();
    }
  });

  it('is a directive without a value', () => {
    const head = '-- restitch:step 1/2\n-- restitch:kind wait\n-- restitch:title t\n-- restitch:interval 1s\n-- restitch:timeout 1m\n';
    expect(parseHeader(`${head}-- restitch:point-of-no-return\n\nSELECT 1;`).header.pointOfNoReturn).toBe(true);
    expect(parseHeader(`${head}\nSELECT 1;`).header.pointOfNoReturn).toBeUndefined();
    expect(() => parseHeader(`${head}-- restitch:point-of-no-return yes\n\nSELECT 1;`)).toThrow(/takes no value/);
  });

  it('is passed once its step is done or any later step has begun, in any version of the runbook', () => {
    const ex = byName('multi-entity-postgres');
    const steps = loadSteps(ex.manifest, ex.files, false);
    expect(noReturnPassed(steps, [])).toBeNull();
    expect(noReturnPassed(steps, [row('10-reset-entities.sql', 'done'), row('11-entities-reset.sql', 'done')])).toBeNull();
    // A wait that has begun proves nothing yet: the undo runbook's first check decides.
    expect(noReturnPassed(steps, [row('12-entities-deleted.sql', 'running')])).toBeNull();
    expect(noReturnPassed(steps, [row('12-entities-deleted.sql', 'done')])?.step.header.number).toBe(12);
    expect(noReturnPassed(steps, [row('13-reset-events.sql', 'interrupted')])?.row.file).toBe('13-reset-events.sql');
    // Another version numbered the same step differently.
    expect(noReturnPassed(steps, [row('14-entities-deleted.sql', 'done', 'b')])?.row.checksum).toBe('b');
    const recalc = byName('recalc-only-postgres');
    expect(noReturnPassed(loadSteps(recalc.manifest, recalc.files, false), [row('09-recalculated.sql', 'done')])).toBeNull();
  });

  it('keeps the forward run from resuming once an undo step has changed rows, and only then', () => {
    const undoRow = (file: string, kind: string, rows: number, status: JournalRow['status'] = 'done'): JournalRow => ({ ...row(file, status), kind, rows_affected: rows });
    expect(undoneRow([])).toBeNull();
    // Checks and an all-or-nothing restore that changed nothing leave the forward run free.
    expect(undoneRow([undoRow('03-undo-applies.sql', 'check', 2), undoRow('04-restore-entities.sql', 'change', 0)])).toBeNull();
    expect(undoneRow([undoRow('04-restore-entities.sql', 'change', 2)])?.file).toBe('04-restore-entities.sql');
    expect(undoneRow([undoRow('06-restore-events.sql', 'batch', 3, 'interrupted')])?.file).toBe('06-restore-events.sql');
  });

  it('lets the forward run go on when undo stopped at a holding wait that failed (a restored entity deleted again), and only then', () => {
    const undoRow = (file: string, kind: string, rows: number, status: JournalRow['status'] = 'done'): JournalRow => ({ ...row(file, status), kind, rows_affected: rows });
    const held = new Set(['05-entities-restored.sql']);
    const restored = undoRow('04-restore-entities.sql', 'change', 1);
    expect(undoneRow([restored, undoRow('05-entities-restored.sql', 'wait', 2, 'failed')], held)).toBeNull();
    // The wait held: undo went on, and the rows it put back count.
    expect(undoneRow([restored, undoRow('05-entities-restored.sql', 'wait', 2)], held)?.file).toBe('04-restore-entities.sql');
    // A failed step that is no holding wait changes nothing.
    expect(undoneRow([restored, undoRow('05-entities-restored.sql', 'check', 2, 'failed')])?.file).toBe('04-restore-entities.sql');
    // Rows put back after the wait (run on by hand past it) count.
    expect(undoneRow([restored, undoRow('05-entities-restored.sql', 'wait', 2, 'failed'), undoRow('06-restore-events.sql', 'batch', 3)], held)?.file).toBe('06-restore-events.sql');
  });
});

describe('the advice after a failed step before the point of no return', () => {
  it('names --reuse-backups on the current schema only for the same entities and filter, and undo with another --incident otherwise', () => {
    const steps = loadSteps(byName('multi-entity-postgres').manifest, byName('multi-entity-postgres').files, false);
    const advice = regenerateAdvice(steps, steps[5]!, true);
    expect(advice).toMatch(/if it chooses the same entities with the same --where and event-time window, generate it again with the same --incident and --reuse-backups/);
    expect(advice).toMatch(/if it chooses other entities or another filter, the backups taken so far cannot be reused .*: undo this run \(the same command with --undo\), then generate the corrected runbook with another --incident$/);
    const legacy = loadSteps(byName('legacy-steps-postgres').manifest, byName('legacy-steps-postgres').files, false);
    expect(regenerateAdvice(legacy, legacy[5]!, false)).toMatch(/generate it again with the same --incident and --reuse-backups, and run that one from its step 1/);
  });
});
