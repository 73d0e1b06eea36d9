import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/core/dialects/index.js';
import { rowsWritten } from '../../src/runner/planEstimate.js';

const pg = DIALECTS.postgres.server.explain;
const crdb = DIALECTS.cockroachdb.server.explain;

/** EXPLAIN (FORMAT JSON) as node-postgres returns it: one row, one column, the parsed document. */
const json = (plan: object) => [{ 'QUERY PLAN': [{ Plan: plan }] }];
/** CockroachDB's EXPLAIN: one row per line, column `info`. */
const tree = (text: string) => text.split('\n').map((info) => ({ info }));

describe('the rows a change writes, from the plan', () => {
  it('PostgreSQL: the ModifyTable node input, not its own zero', () => {
    const update = json({
      'Node Type': 'ModifyTable', Operation: 'Update', 'Plan Rows': 0,
      Plans: [{ 'Node Type': 'Hash Join', 'Parent Relationship': 'Outer', 'Plan Rows': 50004, Plans: [{ 'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Plan Rows': 120000 }] }],
    });
    expect(rowsWritten(update, pg)).toEqual({ rows: 50004, unknown: 0 });
  });

  it('PostgreSQL: INSERT ... SELECT counts what the SELECT yields; an InitPlan under it is not written', () => {
    const insert = json({
      'Node Type': 'ModifyTable', Operation: 'Insert', 'Plan Rows': 0,
      Plans: [
        { 'Node Type': 'Result', 'Parent Relationship': 'InitPlan', 'Subplan Name': 'InitPlan 1', 'Plan Rows': 1 },
        { 'Node Type': 'Index Scan', 'Parent Relationship': 'Outer', 'Plan Rows': 2000 },
      ],
    });
    expect(rowsWritten(insert, pg)).toEqual({ rows: 2000, unknown: 0 });
  });

  it('PostgreSQL: a statement with data-modifying CTEs sums every ModifyTable', () => {
    const ctes = json({
      'Node Type': 'ModifyTable', Operation: 'Insert', 'Plan Rows': 0,
      Plans: [
        { 'Node Type': 'ModifyTable', Operation: 'Update', 'Parent Relationship': 'InitPlan', 'Subplan Name': 'CTE moved', 'Plan Rows': 300, Plans: [{ 'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Plan Rows': 300 }] },
        { 'Node Type': 'CTE Scan', 'Parent Relationship': 'Outer', 'Plan Rows': 300 },
      ],
    });
    expect(rowsWritten(ctes, pg)).toEqual({ rows: 600, unknown: 0 });
    expect(rowsWritten(json({ 'Node Type': 'Seq Scan', 'Plan Rows': 10 }), pg)).toEqual({ rows: 0, unknown: 0 });
  });

  // Shapes from cockroachdb/cockroach pkg/sql/opt/exec/execbuilder/testdata/update
  // (EXPLAIN (VERBOSE) UPDATE xyz SET x = 5 WHERE ...).
  it('CockroachDB: the nearest estimate below the writing node, not its own 0', () => {
    const update = tree(`distribution: local
vectorized: true
·
• update
│ columns: ()
│ estimated row count: 0 (missing stats)
│ table: xyz
│ set: x
│ auto commit
│
└── • render
    │ columns: (x, y, z, x_new)
    │ render x_new: 5
    │
    └── • filter
        │ columns: (x, y, z)
        │ estimated row count: 990 (missing stats)
        │ filter: ((y > 0) AND (y < 1000)) OR ((y > 2000) AND (y < 3000))
        │
        └── • scan
              columns: (x, y, z)
              estimated row count: 1,000 (missing stats)
              table: xyz@xyz_pkey
              spans: FULL SCAN`);
    expect(rowsWritten(update, crdb)).toEqual({ rows: 990, unknown: 0 });
  });

  it('CockroachDB: statistics, limit-hint ranges, a values input, an insert fast path and CTEs planned as subqueries', () => {
    const insertSelect = tree(`• insert
│ estimated row count: 0
│ into: t(a, b)
│
└── • lookup join
    │ estimated row count: 12,345
    │ table: u@u_pkey
    │
    └── • scan
          estimated row count: 2,000 - 50,000 (4.0% of the table; stats collected 3 minutes ago)
          table: v@v_pkey
          spans: [/'a' - ]
          limit: 2000`);
    expect(rowsWritten(insertSelect, crdb)).toEqual({ rows: 12345, unknown: 0 });
    const values = tree(`• insert
│ columns: ()
│ estimated row count: 0 (missing stats)
│ into: kv(k, v)
│
└── • values
      columns: (column1, column2)
      size: 2 columns, 3 rows`);
    expect(rowsWritten(values, crdb)).toEqual({ rows: 3, unknown: 0 });
    const fast = tree(`• insert fast path
  columns: ()
  estimated row count: 0 (missing stats)
  into: kv(k, v)
  auto commit
  size: 2 columns, 2 rows`);
    expect(rowsWritten(fast, crdb)).toEqual({ rows: 2, unknown: 0 });
    const subqueries = tree(`• root
│
├── • insert
│   │ estimated row count: 0 (missing stats)
│   │
│   └── • scan buffer
│         estimated row count: 1,000 (missing stats)
│         label: buffer 1
│
└── • subquery
    │ id: @S1
    │
    └── • buffer
        │ label: buffer 1
        │
        └── • update
            │ estimated row count: 1,000 (missing stats)
            │ table: abc
            │
            └── • scan
                  estimated row count: 1,000 (missing stats)
                  table: abc@abc_pkey
                  spans: FULL SCAN`);
    expect(rowsWritten(subqueries, crdb)).toEqual({ rows: 2000, unknown: 0 });
    expect(rowsWritten(tree(`• delete range\n  from: t\n  spans: FULL SCAN`), crdb)).toEqual({ rows: 0, unknown: 1 });
  });
});
