/**
 * The scans of a whole table in a plan, read from the EXPLAIN output the dialect describes
 * (Dialect.server.explain). Pure.
 *
 * - PostgreSQL `EXPLAIN (FORMAT JSON)`: a `Seq Scan` node reads every page of `Relation Name`
 *   (a parallel one too: same node type, "Parallel Aware"); its `Plan Rows` is what it yields
 *   after its filter, not what it reads (https://www.postgresql.org/docs/current/using-explain.html).
 * - CockroachDB `EXPLAIN`: a `• scan` node whose `spans:` attribute is `FULL SCAN` (or `FULL SCAN
 *   (SOFT LIMIT)`), its `table: <table>@<index>`; a constrained scan prints its spans, one with
 *   only a hard limit `LIMITED SCAN` (emitNodeAttributes in cockroachdb/cockroach
 *   pkg/sql/opt/exec/explain/emit.go). Its `estimated row count` is the rows it reads.
 */
import type { ExplainEstimate } from '../core/dialects/index.js';

/** One scan of a whole table. */
export interface FullScan {
  /** Table name as the plan gives it (lower case, without the index). */
  table: string;
  /** The plan's own estimate on that node (rows yielded on PostgreSQL, read on CockroachDB), null if none. */
  estimate: number | null;
  /** The plan line that says it, as the person would find it in EXPLAIN. */
  line: string;
}

type Row = Record<string, unknown>;

interface JsonPlan {
  'Node Type'?: string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Plan Rows'?: number;
  Filter?: string;
  Plans?: JsonPlan[];
}

/** The EXPLAIN result of one statement, as text lines (CockroachDB) or the JSON document (PostgreSQL). */
export function fullScans(result: readonly Row[], explain: Pick<ExplainEstimate, 'format'>): FullScan[] {
  return explain.format === 'json' ? fromJson(result) : fromTree(result.map((r) => String(Object.values(r)[0] ?? '')));
}

function fromJson(result: readonly Row[]): FullScan[] {
  const raw = Object.values(result[0] ?? {})[0];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: JsonPlan }[] | undefined;
  const out: FullScan[] = [];
  const walk = (node: JsonPlan): void => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) {
      const alias = node.Alias && node.Alias !== node['Relation Name'] ? ` ${node.Alias}` : '';
      const filter = node.Filter ? ` (Filter: ${node.Filter.length > 100 ? `${node.Filter.slice(0, 100)}…` : node.Filter})` : '';
      out.push({ table: node['Relation Name'].toLowerCase(), estimate: node['Plan Rows'] ?? null, line: `Seq Scan on ${node['Relation Name']}${alias}${filter}` });
    }
    (node.Plans ?? []).forEach(walk);
  };
  for (const d of doc ?? []) if (d.Plan) walk(d.Plan);
  return out;
}

const NUMBER = (s: string) => Number(s.replace(/,/g, ''));

function fromTree(lines: readonly string[]): FullScan[] {
  const out: FullScan[] = [];
  let node: { name: string; table: string | null; spans: string | null; estimate: number | null } | null = null;
  const flush = () => {
    if (node?.name === 'scan' && node.table && node.spans?.startsWith('FULL SCAN')) {
      out.push({ table: node.table.split('@')[0]!.toLowerCase(), estimate: node.estimate, line: `• scan table: ${node.table} spans: ${node.spans}` });
    }
  };
  for (const line of lines) {
    const bullet = line.indexOf('• ');
    if (bullet >= 0) {
      flush();
      node = { name: line.slice(bullet + 2).trim(), table: null, spans: null, estimate: null };
      continue;
    }
    const attribute = line.replace(/^[\s│├└─]+/, '');
    if (!node) continue;
    const table = /^table: (\S+)/.exec(attribute);
    const spans = /^spans: (.+)$/.exec(attribute);
    const estimate = /^estimated row count: ([\d,]+)(?: - ([\d,]+))?/.exec(attribute);
    if (table) node.table = table[1]!;
    if (spans) node.spans = spans[1]!.trim();
    if (estimate) node.estimate = Math.max(NUMBER(estimate[1]!), NUMBER(estimate[2] ?? '0'));
  }
  flush();
  return out;
}

/** The largest row estimate of any scan node in a plan: of `SELECT * FROM <table>`, the planner's size of the table. */
export function tableRows(result: readonly Row[], explain: Pick<ExplainEstimate, 'format'>): number | null {
  if (explain.format === 'json') {
    const raw = Object.values(result[0] ?? {})[0];
    const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: JsonPlan }[] | undefined;
    const rows = doc?.[0]?.Plan?.['Plan Rows'];
    return typeof rows === 'number' ? Math.round(rows) : null;
  }
  const estimates = result.flatMap((r) => {
    const m = /estimated row count: ([\d,]+)/.exec(String(Object.values(r)[0] ?? ''));
    return m ? [NUMBER(m[1]!)] : [];
  });
  return estimates.length > 0 ? Math.max(...estimates) : null;
}
