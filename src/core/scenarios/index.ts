import { inputError } from '../errors.js';
import { entityOneshot } from './entityOneshot.js';
import { fullReset } from './fullReset.js';
import { legacySteps } from './legacySteps.js';
import { multiEntity } from './multiEntity.js';
import { orphanRecovery } from './orphanRecovery.js';
import { recalcOnly } from './recalcOnly.js';
import type { Scenario } from './scenario.js';

export type { EntityColumn, ProgressSpec, Scenario, ScenarioOption, StepSpec } from './scenario.js';

/** Every scenario, in the order `restitch scenarios` lists them. */
export const SCENARIOS: readonly Scenario[] = [fullReset, entityOneshot, multiEntity, recalcOnly, legacySteps, orphanRecovery];

export function getScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw inputError(`unknown scenario '${name}'; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

/** Every supported scenario x dialect pair, as "scenario/dialect". */
export function supportedPairs(): string[] {
  return SCENARIOS.flatMap((s) => s.dialects.map((d) => `${s.name}/${d}`));
}
