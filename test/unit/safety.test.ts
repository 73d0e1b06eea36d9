import { describe, expect, it } from 'vitest';
import { examples } from '../helpers/examples.js';

const all = examples();
const body = (content: string) => content.replace(/^--.*$/gm, '');

describe('the runbooks keep every path safe', () => {
  it('test the corrected PS rule before CPS goes off; the enable step only deploys the tested rule', () => {
    for (const ex of all.filter((e) => e.manifest.scenario !== 'recalc-only' && e.manifest.scenario !== 'orphan-recovery')) {
      const disable = ex.files.find((f) => f.path === '01-disable-cps.sql')?.content ?? '';
      const enable = ex.files.find((f) => /^\d+-enable-cps\.sql$/.test(f.path))?.content ?? '';
      const test = disable.search(/sample/i);
      expect(test, `${ex.name}: the disable step has the rule tested on a sample`).toBeGreaterThan(-1);
      expect(test, `${ex.name}: before CPS is disabled`).toBeLessThan(disable.search(/disable the Meiro CPS \(profile/));
      expect(enable, `${ex.name}: the enable step deploys the rule already tested`).toMatch(/rule tested before step 1/);
      expect(enable, `${ex.name}: and does not test it there`).not.toMatch(/sample/i);
    }
  });

  it('has no check row that cannot fail (no literal true AS ok)', () => {
    for (const ex of all) {
      for (const f of ex.files.filter((x) => x.path.endsWith('.sql'))) {
        expect(body(f.content), `${ex.name}/${f.path}`).not.toMatch(/\btrue\s+AS\s+ok\b/i);
      }
    }
  });
});
