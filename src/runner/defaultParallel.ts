/**
 * The sessions a ranged batch walk (the event reset, the restore) uses when `--parallel` is not
 * given. Two sessions overlap one's I/O with the other's CPU: on narrow rows the whole runbook
 * then costs about the source's bare SQL instead of up to 1.5x it (bench/README.md). The server
 * says, read-only, whether it allows that (ServerTraits.parallelProbe); the CPU count is not
 * visible from SQL, so the probe reads what the operator set instead.
 */
import type { ServerTraits } from '../core/dialects/dialect.js';
import type { Db } from './connection/session.js';
import type { RunnerUi, RunOptions, RunStep } from './types.js';

/** Never more by default: two is what bench/ measured; more sessions are asked for with --parallel. */
export const DEFAULT_PARALLEL_CAP = 2;

/** What the probe reads (one row): see ServerTraits.parallelProbe. */
export interface ParallelAllowance {
  /** Processes the server lets one statement add beside its own (PostgreSQL: max_parallel_workers_per_gather, capped by max_parallel_workers). */
  statementWorkers: number;
  /** Connections still free for this user's kind of session. */
  freeConnections: number;
}

/** The default sessions and why, pure: one more session only where the server allows a statement more processes and a connection is left over besides. */
export function chooseParallel(a: ParallelAllowance | null): { sessions: number; why: string } {
  if (a === null) return { sessions: 1, why: 'one writer by default on this server' };
  if (!(a.statementWorkers >= 1)) return { sessions: 1, why: `the server allows a statement no parallel workers (max_parallel_workers_per_gather or max_parallel_workers is ${a.statementWorkers})` };
  if (!(a.freeConnections >= 2)) return { sessions: 1, why: `only ${a.freeConnections} connection(s) free on the server` };
  const sessions = Math.min(DEFAULT_PARALLEL_CAP, 1 + a.statementWorkers, a.freeConnections);
  return { sessions, why: `the server allows a statement ${a.statementWorkers} parallel worker(s) and has ${a.freeConnections} connections free` };
}

/** Reads the allowance on `db` (read-only) and chooses; one session where the dialect has no probe. */
export async function defaultParallel(db: Db, traits: ServerTraits): Promise<{ sessions: number; why: string }> {
  if (traits.parallelProbe === null) return chooseParallel(null);
  const row = (await db.query<{ statement_workers: unknown; free_connections: unknown }>(traits.parallelProbe)).rows[0];
  if (!row) return chooseParallel(null);
  return chooseParallel({ statementWorkers: Number(row.statement_workers), freeConnections: Number(row.free_connections) });
}

/**
 * `opts` with `parallel` chosen on `db` when it is not given and a step of `run` walks key
 * ranges (the only steps it applies to); says the choice. A dry run opens no sessions: unchanged.
 */
export async function withDefaultParallel(db: Db, traits: ServerTraits, opts: RunOptions, run: readonly RunStep[], ui: Pick<RunnerUi, 'say'>): Promise<RunOptions> {
  if (opts.parallel !== undefined || opts.dryRun || !run.some((s) => s.header.ranges)) return opts;
  const { sessions, why } = await defaultParallel(db, traits);
  ui.say(`walks in key ranges: ${sessions} session${sessions === 1 ? '' : 's'} (${why}; --parallel N to choose)`);
  return { ...opts, parallel: sessions };
}
