/**
 * The tables each step reads, writes and defines, from its body and its header's queries, and
 * which earlier steps a query waits for: a query reading a table that an earlier step of the run
 * writes or creates cannot be settled before that step has run.
 */
import type { Dialect } from '../core/dialects/index.js';
import { statementsOf } from '../runner/dryRun.js';
import type { RunStep } from '../runner/types.js';
import { isTableCatalog, statementTables, tablesByPattern, type StatementTables } from './tables.js';

/** What a step touches, all its statements together. */
export interface StepTables extends StatementTables {
  step: RunStep;
}

/** The tables of one SQL text; a text the parser cannot read falls back to the names after FROM/JOIN. */
export async function tablesOf(sql: string, dialect: Dialect): Promise<StatementTables> {
  try {
    const all = (await statementsOf(sql, dialect)).map((s) => statementTables(s.tree));
    return { reads: [...new Set(all.flatMap((t) => t.reads))], writes: all.flatMap((t) => t.writes), defines: all.flatMap((t) => t.defines) };
  } catch {
    return { reads: tablesByPattern(sql), writes: [], defines: [] };
  }
}

/** The tables of every step (its body, and its header's progress, floor and ranges queries). */
export async function stepTables(steps: readonly RunStep[], bodies: ReadonlyMap<number, string>, dialect: Dialect): Promise<StepTables[]> {
  const out: StepTables[] = [];
  for (const step of steps) {
    if (step.header.kind === 'manual') {
      out.push({ step, reads: [], writes: [], defines: [] });
      continue;
    }
    const parts = await Promise.all([bodies.get(step.header.number) ?? step.body, step.header.progress, step.header.floor, step.header.ranges].filter((s): s is string => !!s).map((s) => tablesOf(s, dialect)));
    out.push({ step, reads: [...new Set(parts.flatMap((p) => p.reads))], writes: parts.flatMap((p) => p.writes), defines: parts.flatMap((p) => p.defines) });
  }
  return out;
}

/** The earlier steps (before `index` in `all`) whose writes or definitions `reads` depends on, with the table. */
export function blockers(reads: readonly string[], all: readonly StepTables[], index: number): { step: RunStep; table: string }[] {
  const out: { step: RunStep; table: string }[] = [];
  for (const earlier of all.slice(0, index)) {
    const changed = new Set([...earlier.writes.map((w) => w.table), ...earlier.defines]);
    const hit = reads.find((r) => changed.has(r) || (earlier.defines.length > 0 && isTableCatalog(r)));
    if (hit) out.push({ step: earlier.step, table: hit });
  }
  return out;
}

/** "step 2 (02-create-working-tables.sql) creates or writes external_data.x". */
export function describeBlockers(list: readonly { step: RunStep; table: string }[]): string {
  return list.map((b) => `step ${b.step.header.number} (${b.step.file}) changes ${b.table}`).join('; ');
}
