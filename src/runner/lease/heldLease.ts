/**
 * A lease this run holds: it heartbeats, it is checked before every journal write and every
 * commit of a step, and it is released at the end.
 *
 * The heartbeat runs on a connection of its own, on a timer. Not on the runner's session: that
 * session spends minutes inside one statement (a batch, a change, a wait's check), and a
 * connection runs one statement at a time, so a heartbeat queued behind it would go stale and
 * another run would take over a live run. Not inside the step's transaction either: its write
 * would be invisible until the commit. The heartbeat's own connection commits each beat at once.
 *
 * How a run that lost its lease (paused longer than its timeout, then taken over) is stopped:
 * - every journal write carries `EXISTS (lease row with this run id)`, so a write after a
 *   takeover changes no row, and the run stops (LeaseLostError) without writing anything;
 * - every change or batch transaction locks the lease row (`SELECT ... FOR UPDATE` on this run
 *   id) as its last statement before COMMIT: a takeover committed before it leaves no row, so the
 *   transaction rolls back; a takeover after it waits for the lock until the commit, so the work
 *   committed was done while this run held the lease. The lock is taken last so that it blocks
 *   the heartbeat for the commit only, not for the batch;
 * - a heartbeat that finds the row gone ends the running statement and aborts the step.
 */
import { sqlLiteral } from '../../core/sql.js';
import type { Db } from '../connection/session.js';
import { withReconnect } from '../connection/transient.js';
import { describeHolder, LeaseLostError, type LeaseTable } from './lease.js';

export class HeldLease {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private step: number | null = null;
  private lostWhy: string | null = null;
  private failing = false;
  private readonly controller = new AbortController();
  /** Aborted when a heartbeat finds the lease taken over. */
  readonly signal = this.controller.signal;

  constructor(
    private readonly table: LeaseTable,
    readonly runId: string,
    private readonly beat: Db,
    intervalMs: number,
    private readonly onLost: () => void,
    private readonly say: (text: string) => void,
  ) {
    this.timer = setInterval(() => void this.heartbeat(), intervalMs);
    this.timer.unref();
  }

  /** SQL true while this run holds the lease, on two parameters bound to `key()`. */
  condition(incidentParam: string, runIdParam: string): string {
    return this.table.heldCondition(incidentParam, runIdParam);
  }

  /** The parameters of `condition`. */
  key(): [string, string] {
    return [this.table.incident, this.runId];
  }

  /** The step now running, shown by `status`; heartbeats at once. */
  setStep(step: number): void {
    this.step = step;
    void this.heartbeat();
  }

  private async heartbeat(): Promise<void> {
    if (this.beating || this.lostWhy !== null) return;
    this.beating = (async () => {
      try {
        const r = await this.beat.query(`UPDATE ${this.table.table} SET heartbeat_at = now(), step = $3 WHERE incident = $1 AND run_id = $2`, [this.table.incident, this.runId, this.step]);
        this.failing = false;
        if (r.rowCount === 0) await this.lose();
      } catch (error) {
        // A lost connection: say so once, reconnect, and beat again at the next tick. A run that
        // cannot heartbeat for longer than its timeout may be taken over; its next write stops it.
        if (!this.failing) this.say(`lease heartbeat failed (${(error as Error).message}); retrying`);
        this.failing = true;
        await this.beat.reconnect().catch(() => {});
      } finally {
        this.beating = null;
      }
    })();
    return this.beating;
  }

  private async lose(): Promise<void> {
    const now = await this.table.holder().catch(() => null);
    this.lostWhy = now ? `another run took it over: ${describeHolder(now)}` : 'its lease row is gone';
    this.controller.abort('lease lost');
    this.onLost();
  }

  /** The error that stops this run, once it has lost the lease; null while it holds it. */
  lostError(): LeaseLostError | null {
    return this.lostWhy === null ? null : new LeaseLostError(`this run lost its lease (${this.lostWhy}); it stopped without writing anything more`);
  }

  /** Called when a guarded write changed no row: the lease is gone. */
  async lost(): Promise<LeaseLostError> {
    if (this.lostWhy === null) await this.lose();
    return this.lostError() as LeaseLostError;
  }

  /** Inside a step's transaction, just before COMMIT: lock the lease row, or throw when it is gone. */
  async confirmWithin(db: Db): Promise<void> {
    const r = await db.query(`SELECT run_id FROM ${this.table.table} WHERE incident = $1 AND run_id = $2 FOR UPDATE`, [this.table.incident, this.runId]);
    if (r.rowCount === 0 && r.rows.length === 0) throw await this.lost();
  }

  /**
   * `confirmWithin` as one statement for a batch sent as one query (batchStep.ts): it locks the
   * lease row and divides by zero (SQLSTATE 22012), aborting the transaction before its COMMIT,
   * when the row is gone.
   */
  lockStatement(): string {
    const [incident, runId] = this.key();
    return this.table.lockStatement(sqlLiteral(incident), sqlLiteral(runId));
  }

  /** The lease condition with this run's values as literals (for statements sent without parameters). */
  literalCondition(): string {
    const [incident, runId] = this.key();
    return this.condition(sqlLiteral(incident), sqlLiteral(runId));
  }

  /** Stops the heartbeat and gives the lease back (only if still this run's), closing the heartbeat connection. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating?.catch(() => {});
    try {
      // Across a restart of the database too: a lease left behind would block the next run.
      await withReconnect(this.beat, () => this.beat.query(`DELETE FROM ${this.table.table} WHERE incident = $1 AND run_id = $2`, [this.table.incident, this.runId]));
    } catch {
      // The lease then expires after its timeout (or at once for a run on this host: its pid is gone).
    } finally {
      await this.beat.close();
    }
  }
}
