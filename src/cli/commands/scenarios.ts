import { SCENARIOS } from '../../core/scenarios/index.js';

/** One row per supported scenario x dialect pair. */
export interface ScenarioRow {
  scenario: string;
  dialect: string;
  schema: string;
  purpose: string;
}

export function listScenarios(): ScenarioRow[] {
  return SCENARIOS.flatMap((s) => s.dialects.map((dialect) => ({ scenario: s.name, dialect, schema: s.schema, purpose: s.purpose })));
}

export function scenariosText(rows: ScenarioRow[]): string {
  const w1 = Math.max(8, ...rows.map((r) => r.scenario.length));
  const w2 = Math.max(7, ...rows.map((r) => r.dialect.length));
  const w3 = Math.max(6, ...rows.map((r) => r.schema.length));
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c.padEnd(w3)}  ${d}`;
  return [line('SCENARIO', 'DIALECT', 'SCHEMA', 'PURPOSE'), ...rows.map((r) => line(r.scenario, r.dialect, r.schema, r.purpose))].join('\n') + '\n';
}
