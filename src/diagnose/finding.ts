/**
 * What `restitch diagnose` reports: findings, each with its evidence and the entities a reset
 * should take. Pure data; no database, no files.
 */

/** The kinds of wrongly stitched data (and scenario pitfalls) diagnose looks for. */
export type FindingKind =
  | 'junk-value'
  | 'shared-value'
  | 'giant-entity'
  | 'split-customer'
  | 'orphaned-events'
  | 'empty-identifiers'
  | 'entity-without-events'
  | 'unidentified-events'
  | 'queue-backlog';

/**
 * high and medium call for a reset of `entities`; info is a pitfall worth knowing before a
 * runbook runs (events with empty identifier arrays are also what the fixed rule leaves behind
 * for junk values, so they alone never make diagnose exit 1).
 */
export type Severity = 'high' | 'medium' | 'info';

/** One finding with its evidence. */
export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** One line a person reads first, e.g. `junk identifier value 'None'`. */
  title: string;
  /** Entities to reset for this finding (empty for info findings). */
  entities: string[];
  /** Counts behind the finding, e.g. { events: 3, entities: 1 }. */
  evidence: Record<string, number>;
  /** A few example ids or values. */
  examples: string[];
  /** Set when a figure was cut off at a limit and is a lower bound. */
  capped?: boolean;
  /**
   * Set when the evidence comes from a sample and is scaled to the table: says so and how big
   * the sample was (e.g. `estimate from a sample of 2,000 of about 1,000,000 events`).
   */
  estimate?: string;
}

const RANK: Record<Severity, number> = { high: 0, medium: 1, info: 2 };

/** The largest count in a finding's evidence, for ordering within a severity. */
const weight = (f: Finding) => Math.max(0, ...Object.values(f.evidence));

/** Worst first: by severity, then by the largest count, then by title for a stable order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || weight(b) - weight(a) || a.title.localeCompare(b.title));
}

/** Findings that call for a reset: they decide the exit code and the entities file. */
export const actionable = (findings: readonly Finding[]) => findings.filter((f) => f.severity !== 'info');
