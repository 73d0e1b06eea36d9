import type { Dialect } from './dialect.js';

/** PostgreSQL: the legacy cdp_* schema, and the current schema hosted on PostgreSQL. */
export const postgres: Dialect = {
  name: 'postgres',
  label: 'PostgreSQL',
  schemas: ['current', 'legacy'],
  console: { name: 'psql', command: 'psql -v ON_ERROR_STOP=1' },
  hasPgStatActivity: true,
  rejectsUnfilteredWrites: false,
  staleReadClause: '',
  supportsTransactionPriority: false,
  supportsDeleteLimit: false,
  foreignClauses: [],
  bundlePreamble: [],
  batchByHand: ['By hand: run the statement again until psql prints UPDATE 0 / INSERT 0 0.'],
};
