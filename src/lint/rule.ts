/** The shapes of lint rules: over one statement, or over a script's statements in order. */
import type { DialectName } from '../core/types.js';
import type { Node } from './tree.js';

/** One finding of one rule; `location` is a byte offset in the file. */
export interface RuleHit {
  location: number | undefined;
  reason: string;
}

/** A rule over one statement's parse tree. */
export interface Rule {
  id: string;
  /** Doc URL or repository path that states the behaviour the rule guards against. */
  source: string;
  dialects: readonly DialectName[];
  check: (stmt: Node) => RuleHit[];
}

/** One parsed statement of a script and the byte offset where it starts. */
export interface ScriptStatement {
  stmt: Node;
  location: number;
}

/** What a script rule knows about the file beyond its statements. */
export interface ScriptContext {
  /**
   * The file is a runbook step of kind `change`: the runner runs its body as one transaction that
   * also updates the journal and locks the lease (src/runner/executors.ts); on CockroachDB the
   * schema changes that lead the body run first, each on its own (src/runner/schemaChanges.ts).
   */
  changeStep: boolean;
  /**
   * The step loads a file with COPY (`restitch:copy-from`) and its by-hand command sends no BEGIN:
   * on CockroachDB the console runs it outside a transaction, as the bundle does
   * (Dialect.console.copyInTransaction false).
   */
  copyFrom: boolean;
}

/** A rule over the statements of a script in order (transactions span statements). */
export interface ScriptRule {
  id: string;
  source: string;
  dialects: readonly DialectName[];
  check: (stmts: readonly ScriptStatement[], context: ScriptContext) => RuleHit[];
}
