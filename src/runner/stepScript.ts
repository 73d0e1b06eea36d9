/**
 * `run --dry-run --sql`: every statement of each step as the runner would send it, in order, as
 * one SQL script to save and review (Atlas's `migrate apply --dry-run`, Liquibase's `update-sql`):
 * the session settings (timeouts per step kind, read-only around checks), BEGIN/COMMIT around a
 * change and around each batch, the batch size applied and the keyset floor bound. What is not a
 * statement (repetition, the journal the runner keeps, steps done by hand) is said in comments.
 * Pure: the caller reads the floor.
 */
import { sessionVisibilityQuery, type Dialect } from '../core/dialects/index.js';
import { copyInline } from '../core/entitiesFile.js';
import { setStatement } from './connection/session.js';
import { stepSettings } from './timeouts.js';
import type { RunOptions, RunStep } from './types.js';

/** The keyset floor of a CockroachDB batch step as the first batch would bind it. */
export interface FloorBinding {
  /** The literal in the file after `src.<key> >`. */
  literal: string;
  /** The first batch's floor as read now (null: nothing done yet, the file's literal stands). */
  value: string | null;
  /** Why it could not be read now (its table is made by an earlier step). */
  unreadable?: string;
}

/** How the first batch of a batch step was composed (dryRun.ts), for the script to say. */
export interface FirstBatch {
  /** How its CockroachDB floor was bound (null: the step has none). */
  floor: FloorBinding | null;
  /** How many key ranges its walk is cut into (null: not a ranged walk, or not readable yet). */
  ranges: number | null;
  /** The journal update was added to the statement, so a run sends it with the lease lock as one query. */
  oneTrip: boolean;
}

/** `sql` ending its statement: a `;` after the last statement, on a line of its own after a trailing comment. */
export function terminated(sql: string): string {
  const text = sql.replace(/\s+$/, '');
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && (lines[last]!.trim() === '' || lines[last]!.trim().startsWith('--'))) last -= 1;
  if (last >= 0 && lines[last]!.trimEnd().endsWith(';')) return text;
  return last === lines.length - 1 ? `${text};` : `${text}\n;`;
}

const comment = (text: string) => text.split('\n').map((l) => (l === '' ? '--' : `-- ${l}`)).join('\n');

/** Builds the script step by step, keeping the session settings as the session would (SET only on change). */
export class StepScript {
  private readonly applied: Record<string, string> = {};

  constructor(
    private readonly dialect: Dialect,
    private readonly opts: Pick<RunOptions, 'statementTimeoutMs' | 'lockTimeoutMs' | 'waitInterval' | 'waitHold'>,
    private readonly journalTable: string,
    /** The statement that locks this run's lease row before COMMIT (with a placeholder run id). */
    private readonly leaseLock: string,
  ) {}

  private settings(values: Record<string, string>): string[] {
    const out: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (this.applied[name] === value) continue;
      this.applied[name] = value;
      out.push(`${setStatement(name, value)};`);
    }
    return out;
  }

  private readOnly(sql: string): string[] {
    return [...this.settings({ default_transaction_read_only: 'on' }), terminated(sql), ...this.settings({ default_transaction_read_only: 'off' })];
  }

  /**
   * The statements of one step; `guarded` adds the runner's own CPS check. For a batch step `body`
   * is its first batch as composed by the runner (batchStep.ts composeBatch), and `batch` says how.
   * `copyData` is the file a restitch:copy-from step streams: inline after its COPY, ended by a
   * line `\.`, so that the script pastes into psql as `bundle` does.
   */
  step(step: RunStep, body: string, guarded: boolean, batch: FirstBatch | null, copyData?: string): string {
    const { header } = step;
    const out: string[] = [...this.settings(stepSettings(header.kind, this.opts))];
    const vis = this.dialect.server.sessionVisibility;
    if (guarded && vis) out.push(comment("the runner's own check that its user sees other users' sessions (it refuses unless visible is true):"), ...this.readOnly(sessionVisibilityQuery(vis)));
    if (guarded) out.push(comment("the runner's own check that no 'Meiro CPS' session is connected:"), ...this.readOnly(this.dialect.server.cpsSessionsQuery));
    out.push(comment(`the runner records the step's start and end in ${this.journalTable} (not shown)${header.kind === 'batch' ? '; each batch records itself in its own statement, shown below' : ''}`));
    switch (header.kind) {
      case 'manual':
        out.push(comment('done by hand; the runner runs nothing:'), body.trim());
        break;
      case 'check':
        out.push(...this.readOnly(body));
        break;
      case 'wait': {
        const every = this.opts.waitInterval ?? header.intervalSeconds ?? 15;
        const hold = header.holdSeconds === undefined ? undefined : this.opts.waitHold ?? header.holdSeconds;
        out.push(
          comment(hold === undefined
            ? `repeated every ${every} s until every row has ok = true, for at most ${header.timeoutSeconds ?? 1800} s:`
            : `repeated every ${every} s for ${hold} s; every try must have ok = true on every row, the first that does not stops the run:`),
          ...this.readOnly(body),
        );
        break;
      }
      case 'change':
        // Dialect.transactionalDdl false: executors.ts runChange splits the body (schemaChanges.ts).
        if (!this.dialect.transactionalDdl && /^\s*(CREATE|ALTER|DROP)\b/im.test(body)) {
          out.push(comment(`on ${this.dialect.label} the runner first runs each schema change (CREATE/ALTER/DROP) below on its own, then BEGIN, the rest and COMMIT: a schema change would commit an open transaction (autocommit_before_ddl)`));
        }
        if (header.copyFrom) out.push(comment(`the runner streams the ${header.copyFrom} rows to the COPY; here they follow it inline:`));
        out.push(`${this.dialect.server.begin(false)};`, header.copyFrom ? copyInline(terminated(body), copyData ?? '') : terminated(body), 'COMMIT;');
        break;
      case 'batch': {
        const { floor = null, ranges = null, oneTrip = false } = batch ?? {};
        if (header.progress) out.push(comment('rows done and in all, for the progress bar:'), ...this.readOnly(header.progress));
        out.push(comment(ranges === null
          ? 'repeated, each batch in its own transaction, until the statement changes 0 rows; the first batch:'
          : `its walk is cut into ${ranges} key ranges, each repeated until its statement changes 0 rows (--parallel N walks N at once); the first batch of the first range:`));
        if (header.floor && floor) {
          const first =
            floor.unreadable !== undefined ? `not readable now (${floor.unreadable}); with nothing done it keeps the file's ${floor.literal}`
            : floor.value === null ? `none yet (nothing is done), so it keeps the file's ${floor.literal}`
            : `read now, bound below: ${floor.value}`;
          const where = body.includes('-- restitch:identifier')
            ? `the literal before -- restitch:floor, and its identifier the literals before -- restitch:identifier (no row: the walk is over)`
            : `${floor.literal} after src.<key> >`;
          out.push(comment(`before each batch the floor is read, and its result replaces ${where} (the first batch's: ${first})${header.ranges ? '; $1 and $2 are the bounds of the range' : ''}:`), terminated(header.floor));
        }
        out.push(`${this.dialect.server.begin(header.priority === 'high')};`, terminated(body));
        if (oneTrip) {
          out.push(comment('a run also adds "AND <this run holds its lease>" to the journal update above, and locks its lease row before COMMIT:'), comment(`${this.leaseLock};`));
        }
        out.push('COMMIT;');
        break;
      }
    }
    return `${out.join('\n')}\n`;
  }
}
