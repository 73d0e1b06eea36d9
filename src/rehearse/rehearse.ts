/**
 * `restitch rehearse`: the proposed PS rule tried on a copy of the chosen entities before
 * production is touched. The copy is read from the source read-only (copySource.ts), loaded into
 * an embedded PostgreSQL, the runbook for the same entities generated in the PostgreSQL dialect
 * of the same schema and run there while the simulated platform (clean-up routine,
 * recalculation, reference stitcher) applies the rule built from the options diagnose reads
 * (identifierRule.ts). The state of the copy before and after is compared (copyState.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunbookInputs } from '../core/types.js';
import { identifierRule } from '../diagnose/identifierRule.js';
import type { Normalisation } from '../diagnose/normaliseIdentifier.js';
import type { Db } from '../diagnose/stageKit.js';
import { sqlQualified } from '../core/sql.js';
import { renderRunbook } from '../core/render.js';
import { toolVersion } from '../io/packageInfo.js';
import { writeRunbook } from '../io/runbookFs.js';
import { loadTemplates } from '../io/templateStore.js';
import { JOURNAL_TABLE } from '../runner/journal.js';
import { runInProcess } from '../runner/runInProcess.js';
import { platformBeside } from '../sandbox/platformBeside.js';
import { CURRENT_SCHEMA_DDL, LEGACY_SCHEMA_DDL } from '../sandbox/schema.js';
import { startSandboxServer, type SandboxServer } from '../sandbox/server.js';
import { compare, eventsPerEntity, figures, readCopyState, type Change, type Figures } from './copyState.js';
import { copySource, type CopyOptions } from './copySource.js';
import { loadCopy } from './loadCopy.js';
import { timed, type TimedStep } from './timing.js';

/** How many events rehearse copies at most unless told otherwise (`--max-events`). */
export const DEFAULT_REHEARSE_MAX_EVENTS = 100_000;

/** The payload field the reference stitcher reads the identifier from. */
const FIELD = 'ps_identifier';

/** What to rehearse. */
export interface RehearseOptions extends Omit<CopyOptions, 'entities'> {
  /** The validated inputs of the runbook (multi-entity or legacy-steps, PostgreSQL dialect) for the chosen entities. */
  inputs: RunbookInputs;
  junk: readonly string[];
  normalisations: readonly Normalisation[];
  /** An entity with at least this many events after the rule is still giant (diagnose's --min-events). */
  minEvents: number;
  /** An entity with more identifiers than this after the rule is still giant (diagnose's --max-identifiers). */
  maxIdentifiers: number;
  /** Told what happens, step by step. */
  say: (line: string) => void;
  /** An embedded server already running to hold the copy (the demo's); default: one started and stopped here. */
  server?: SandboxServer;
}

/** An entity the rule leaves above the giant threshold. */
export interface Giant {
  entity: string;
  events: number;
  identifiers: number;
}

/** The outcome, with the shape `--json` prints first. */
export interface Rehearsal extends Change {
  before: Figures;
  after: Figures;
  giants: Giant[];
  /** Chosen entities the source does not hold. */
  missing: string[];
  copiedEvents: number;
  /** The runner's exit code on the copy (0: the runbook finished). */
  runbookExitCode: number;
  runbookMessage: string | null;
  steps: TimedStep[];
  /** The factor the step times are multiplied by, and why; null factor: not extrapolated. */
  extrapolation: { factor: number | null; assumption: string };
}

function extrapolation(sourceRows: number | null, copied: number): Rehearsal['extrapolation'] {
  if (sourceRows === null || copied === 0) {
    return { factor: null, assumption: 'not extrapolated: the source has no row estimate of its event table (CockroachDB, or PostgreSQL before its first ANALYZE)' };
  }
  const factor = Math.max(1, sourceRows / copied);
  return {
    factor,
    assumption: `each step's time grows linearly with the rows of the event table: ${Math.round(sourceRows).toLocaleString('en-US')} in production (catalog estimate) against ${copied.toLocaleString('en-US')} in the copy, x${factor.toFixed(1)}; an upper bound for the steps that reach the chosen events through an index (they touch the same ${copied.toLocaleString('en-US')} events in production); the stitching is the reference stitcher's, not the platform's`,
  };
}

/** Rehearses the rule on a copy; `source` is read only, inside one read-only transaction. */
export async function rehearse(source: Db, o: RehearseOptions): Promise<Rehearsal> {
  const legacy = o.schema === 'legacy';
  const steps: TimedStep[] = [];
  const copy = await timed(steps, 'copy from the source (read-only)', () => copySource(source, { ...o, entities: o.inputs.entities.list() }));
  const rule = identifierRule(o.junk, o.normalisations);
  o.say(`copied ${copy.events.length} events${legacy ? '' : ` and ${copy.entities.length} entities`}; rehearsing on a local PostgreSQL`);
  const server = o.server ?? (await startSandboxServer('rehearse'));
  const dir = mkdtempSync(join(tmpdir(), 'restitch-rehearse-'));
  // A database name of its own, so a server that holds the source too keeps both apart.
  const name = `rehearse_${process.pid}_${Date.now()}`;
  try {
    const db = await server.database(name, legacy ? LEGACY_SCHEMA_DDL : CURRENT_SCHEMA_DDL);
    try {
      await timed(steps, 'load the copy', () => loadCopy(db, copy));
      const before = await readCopyState(db, legacy, 'raw', FIELD);
      const runbook = await timed(steps, `generate ${o.inputs.scenario} (postgres)`, async () => {
        const rendered = renderRunbook(o.inputs, loadTemplates(), toolVersion());
        writeRunbook(join(dir, 'runbook'), rendered.files, false);
        return rendered;
      });
      o.say(`running the ${runbook.steps.length} steps of ${o.inputs.scenario} on the copy, the reference stitcher applying the proposed rule`);
      const url = server.url(name);
      const platform = platformBeside(url, legacy, sqlQualified(o.inputs.workSchema, JOURNAL_TABLE), { rule, cleanupDelayMs: 0, pauseMs: 10 });
      const report = await runInProcess(join(dir, 'runbook'), url, { waitInterval: 0.05 }).finally(async () => {
        await platform.settled();
        await platform.stop();
      });
      for (const s of report.steps) if (s.ms !== null) steps.push({ step: `${s.step}. ${s.title}`, ms: s.ms, runbook: true });
      const after = await readCopyState(db, legacy, rule, FIELD);
      const events = eventsPerEntity(after);
      const giants = [...after.identifiers]
        .map(([entity, identifiers]) => ({ entity, identifiers, events: events.get(entity) ?? 0 }))
        .filter((g) => g.events >= o.minEvents || g.identifiers > o.maxIdentifiers)
        .sort((a, b) => b.events - a.events || a.entity.localeCompare(b.entity));
      const failed = report.steps.find((s) => s.status === 'failed');
      const scale = extrapolation(copy.sourceEventRows, copy.events.length);
      return {
        before: figures(before),
        after: figures(after),
        ...compare(before, after),
        giants,
        missing: copy.missing,
        copiedEvents: copy.events.length,
        runbookExitCode: report.exitCode,
        runbookMessage: failed ? `step ${failed.step} (${failed.title}) failed: ${failed.message ?? ''}` : report.exitCode === 0 ? null : (report.resume ?? 'the runbook did not finish'),
        steps: extrapolate(steps, scale),
        extrapolation: scale,
      };
    } finally {
      await db.end().catch(() => {});
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (o.server === undefined) await server.stop();
    else await server.drop(name);
  }
}

function extrapolate(steps: TimedStep[], e: Rehearsal['extrapolation']): TimedStep[] {
  // Copying, loading and generating are the rehearsal's own; only the runbook's steps run in production.
  return steps.map((s) => ({ ...s, production: e.factor === null || s.runbook !== true ? null : Math.round(s.ms * e.factor) }));
}

/** Whether the rehearsal proves the rule: the runbook finished, no entity is left giant, no event is lost. */
export const rehearsalPasses = (r: Rehearsal): boolean => r.runbookExitCode === 0 && r.giants.length === 0 && r.orphanedEvents === 0;
