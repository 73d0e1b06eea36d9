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
   * The file is a runbook step of kind `change`: the runner runs its whole body as one
   * transaction that also updates the journal and locks the lease (src/runner/executors.ts), and
   * its by-hand command and the bundle wrap a `restitch:copy-from` step in BEGIN ... COMMIT.
   */
  changeStep: boolean;
}

/** A rule over the statements of a script in order (transactions span statements). */
export interface ScriptRule {
  id: string;
  source: string;
  dialects: readonly DialectName[];
  check: (stmts: readonly ScriptStatement[], context: ScriptContext) => RuleHit[];
}
