/**
 * The rows a change would write, read from the planner's EXPLAIN output (nothing executes). The
 * writing node's own estimate is its output (no rows without RETURNING); what it writes is what
 * its input yields, so each writing node counts the estimate of its input, summed over the
 * statement's writing nodes (one per table written, data-modifying CTEs included). Pure.
 */
import type { ExplainEstimate } from '../core/dialects/index.js';

/** The estimate, and how many writing nodes had none (their rows are not in `rows`). */
export interface WriteEstimate {
  rows: number;
  unknown: number;
}

type Row = Record<string, unknown>;

/** Reads the EXPLAIN result rows of one statement as `explain` describes them. */
export function rowsWritten(result: readonly Row[], explain: ExplainEstimate): WriteEstimate {
  return explain.format === 'json' ? fromJsonPlan(result, explain.writeNodes) : fromTree(result.map((r) => String(Object.values(r)[0] ?? '')), explain.writeNodes);
}

interface JsonPlan {
  'Node Type'?: string;
  'Plan Rows'?: number;
  'Parent Relationship'?: string;
  Plans?: JsonPlan[];
}

function fromJsonPlan(result: readonly Row[], writeNodes: readonly string[]): WriteEstimate {
  const raw = Object.values(result[0] ?? {})[0];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: JsonPlan }[] | undefined;
  const out: WriteEstimate = { rows: 0, unknown: 0 };
  const walk = (node: JsonPlan): void => {
    if (writeNodes.includes(node['Node Type'] ?? '')) {
      // The input rows; InitPlans and SubPlans under it compute values, they are not written.
      const inputs = (node.Plans ?? []).filter((p) => p['Parent Relationship'] === 'Outer' || p['Parent Relationship'] === 'Member');
      if (inputs.length === 0) out.unknown += 1;
      for (const p of inputs) out.rows += Math.round(p['Plan Rows'] ?? 0);
    }
    (node.Plans ?? []).forEach(walk);
  };
  for (const d of doc ?? []) if (d.Plan) walk(d.Plan);
  return out;
}

interface TreeNode {
  name: string;
  column: number;
  estimate: number | null;
  /** Rows listed in the statement itself (values, insert fast path). */
  size: number | null;
}

// "estimated row count: 1,000 (missing stats)", "… 10 (0.10% of the table; …)", or a range
// "10 - 1,000" where a limit hint differs (emit.go); the larger bound is taken.
const ESTIMATE = /^estimated row count: ([\d,]+)(?: - ([\d,]+))?/;
// "size: 2 columns, 3 rows" of a values node or an insert fast path (emitTuples in emit.go).
const SIZE = /^size: \d+ columns?, ([\d,]+) rows?/;

function fromTree(lines: readonly string[], writeNodes: readonly string[]): WriteEstimate {
  const nodes: TreeNode[] = [];
  const number = (s: string | undefined) => (s === undefined ? 0 : Number(s.replace(/,/g, '')));
  for (const line of lines) {
    const bullet = line.indexOf('• ');
    if (bullet >= 0) {
      nodes.push({ name: line.slice(bullet + 2).trim(), column: bullet, estimate: null, size: null });
      continue;
    }
    const node = nodes.at(-1);
    const attribute = line.replace(/^[\s│├└─]+/, '');
    const estimate = ESTIMATE.exec(attribute);
    const size = SIZE.exec(attribute);
    if (node && estimate && node.estimate === null) node.estimate = Math.max(number(estimate[1]), number(estimate[2]));
    if (node && size && node.size === null) node.size = number(size[1]);
  }
  const out: WriteEstimate = { rows: 0, unknown: 0 };
  nodes.forEach((node, i) => {
    if (!writeNodes.includes(node.name)) return;
    // The subtree: the nodes after it, up to the first one not indented deeper.
    const end = nodes.findIndex((n, j) => j > i && n.column <= node.column);
    const below = nodes.slice(i + 1, end < 0 ? undefined : end);
    // The nearest node below with an estimate (a render or project has none), else the rows
    // written out in the statement (an insert fast path lists its own).
    const nearest = below.find((n) => n.estimate !== null || n.size !== null);
    const input = nearest ? (nearest.estimate ?? nearest.size) : node.size;
    if (input === null) out.unknown += 1;
    else out.rows += input;
  });
  return out;
}
