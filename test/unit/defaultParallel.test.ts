import { describe, expect, it } from 'vitest';
import { cockroachdb } from '../../src/core/dialects/cockroachdb.js';
import { postgres } from '../../src/core/dialects/postgres.js';
import { chooseParallel, DEFAULT_PARALLEL_CAP } from '../../src/runner/defaultParallel.js';

describe('the default --parallel', () => {
  it('is two sessions where the server allows a statement parallel workers and connections are free', () => {
    expect(chooseParallel({ statementWorkers: 2, freeConnections: 90 }).sessions).toBe(2);
    expect(chooseParallel({ statementWorkers: 8, freeConnections: 90 }).sessions).toBe(DEFAULT_PARALLEL_CAP);
    expect(chooseParallel({ statementWorkers: 1, freeConnections: 2 }).sessions).toBe(2);
  });

  it('is one session where the server allows no parallel workers, too few connections are free, or the probe read nothing usable', () => {
    expect(chooseParallel({ statementWorkers: 0, freeConnections: 90 })).toEqual({ sessions: 1, why: 'the server allows a statement no parallel workers (max_parallel_workers_per_gather or max_parallel_workers is 0)' });
    expect(chooseParallel({ statementWorkers: 2, freeConnections: 1 })).toEqual({ sessions: 1, why: 'only 1 connection(s) free on the server' });
    expect(chooseParallel({ statementWorkers: Number.NaN, freeConnections: 90 }).sessions).toBe(1);
    expect(chooseParallel({ statementWorkers: 2, freeConnections: Number.NaN }).sessions).toBe(1);
    expect(chooseParallel(null).sessions).toBe(1);
  });

  it('is probed on PostgreSQL and stays one session on CockroachDB', () => {
    expect(postgres.server.parallelProbe).toMatch(/max_parallel_workers_per_gather/);
    expect(cockroachdb.server.parallelProbe).toBeNull();
  });
});
