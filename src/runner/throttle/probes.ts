/**
 * The IO of throttling: the throttle query run read-only on the batch's own session (idle between
 * batches), the throttle command run through the shell, and the operator's files looked at.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Db } from '../connection/session.js';
import type { RunOptions } from '../types.js';
import type { Reading, Sensed } from './decide.js';

/** What to sense before a batch; every field optional. */
export type ProbeOptions = Pick<RunOptions, 'throttleQuery' | 'throttleCommand' | 'pauseFile' | 'stopFile'>;

/** The longest a throttle command may take; a slower one is a failing reading (the run waits). */
export const PROBE_TIMEOUT_MS = 30_000;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 300);

function asNumber(source: Reading['source'], raw: unknown): Reading {
  const n = typeof raw === 'number' ? raw : raw === null || raw === undefined ? NaN : Number(String(raw).trim());
  return Number.isFinite(n) ? { source, value: n } : { source, error: `returned ${raw === null || raw === undefined ? 'no number' : `'${oneLine(String(raw))}', not a number`}` };
}

/**
 * The query in a READ ONLY transaction, under the batch step's statement timeout. Both databases
 * take `BEGIN READ ONLY` and refuse a write in it
 * (https://www.postgresql.org/docs/current/sql-set-transaction.html; CockroachDB:
 * pkg/sql/logictest/testdata/logic_test/txn, "BEGIN READ ONLY" and "cannot execute INSERT in a
 * read-only transaction").
 */
export async function readQuery(db: Db, sql: string, redact: (t: string) => string): Promise<Reading> {
  try {
    await db.query('BEGIN READ ONLY');
    try {
      const row = (await db.query(sql)).rows[0];
      return asNumber('query', row ? Object.values(row)[0] : undefined);
    } finally {
      await db.query('ROLLBACK').catch(() => {});
    }
  } catch (error) {
    const e = error as { message?: string; code?: string };
    return { source: 'query', error: redact(oneLine(`${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`)) };
  }
}

/** The command through `sh -c`: its first line a number, or a non-zero exit meaning "wait". */
export function readCommand(command: string): Promise<Reading> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as { code?: unknown }).code;
        const why = typeof code === 'number' ? `exited ${code}` : error.killed ? `ran past ${PROBE_TIMEOUT_MS / 1000} s` : error.message;
        resolve({ source: 'command', error: `${why}${stderr.trim() ? `: ${oneLine(stderr)}` : ''}` });
        return;
      }
      resolve(asNumber('command', stdout.split('\n')[0]));
    });
  });
}

/** Everything the options ask to sense, now. */
export async function sense(db: Db, opts: ProbeOptions, throttle: boolean, redact: (t: string) => string): Promise<Sensed> {
  const readings: Reading[] = [];
  if (throttle && opts.throttleQuery) readings.push(await readQuery(db, opts.throttleQuery, redact));
  if (throttle && opts.throttleCommand) readings.push(await readCommand(opts.throttleCommand));
  return {
    readings,
    pauseFile: opts.pauseFile && existsSync(opts.pauseFile) ? opts.pauseFile : null,
    stopFile: opts.stopFile && existsSync(opts.stopFile) ? opts.stopFile : null,
  };
}
