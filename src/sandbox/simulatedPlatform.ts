import type { Queryable } from './db.js';
import { fixedRule, platformRound, type Normalise } from './simulator.js';

/**
 * The platform driven by hand, for pasting tests: the stand-in for the person (manual steps) and
 * for the platform's routines between steps.
 */
export interface Platform {
  /** A manual step (by slug): e.g. enable-cps starts the stitcher. */
  manual(slug: string): Promise<void>;
  /** Called before each try of a wait step: the clean-up routine, the stitcher. */
  tick(): Promise<void>;
}

/**
 * The simulated platform: CPS follows the manual enable/disable steps; every wait try runs the
 * clean-up routine and the recalculation, and the stitcher (with `rule`) while CPS is enabled.
 */
export function simulatedPlatform(db: Queryable, legacy: boolean, rule: Normalise = fixedRule): Platform {
  let cpsEnabled = false;
  return {
    async manual(slug) {
      if (slug === 'enable-cps') cpsEnabled = true;
      if (slug === 'disable-cps') cpsEnabled = false;
    },
    async tick() {
      await platformRound(db, legacy, cpsEnabled, rule);
    },
  };
}
