/**
 * Rules over a script's transactions: which statements share one. A transaction is opened by
 * BEGIN / START TRANSACTION and closed by COMMIT / END / ROLLBACK; a runbook step of kind
 * `change` is one transaction as a whole (see ScriptContext).
 */
import type { RuleHit, ScriptContext, ScriptRule, ScriptStatement } from './rule.js';
import { type Node, isModifying } from './tree.js';

/** Statement types that change the schema (autocommit_before_ddl commits the transaction before them). */
const DDL = new Set([
  'CreateStmt',
  'CreateSchemaStmt',
  'CreateTableAsStmt',
  'CreateSeqStmt',
  'AlterSeqStmt',
  'IndexStmt',
  'AlterTableStmt',
  'DropStmt',
  'RenameStmt',
  'ViewStmt',
  'TruncateStmt',
]);

const kindOf = (stmt: Node): string => Object.keys(stmt)[0] ?? '';
/** Statements that read or write rows (what opens a change step's transaction). */
const DATA = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'CopyStmt']);
const isDdl = (stmt: Node): boolean => DDL.has(kindOf(stmt));
const isDml = (stmt: Node): boolean =>
  isModifying(stmt) || kindOf(stmt) === 'CopyStmt' || (kindOf(stmt) === 'SelectStmt' && JSON.stringify(stmt).includes('"lockingClause"'));
const isCopyIn = (stmt: Node): boolean => {
  const copy = stmt.CopyStmt as Node | undefined;
  return !!copy && copy.is_from === true && copy.filename === undefined;
};

/** `SET autocommit_before_ddl = off|false` (the session keeps DDL inside the transaction). */
function turnsOffAutocommitBeforeDdl(stmt: Node): boolean {
  const set = stmt.VariableSetStmt as Node | undefined;
  if (!set || set.name !== 'autocommit_before_ddl') return false;
  const text = JSON.stringify(set.args ?? []).toLowerCase();
  return text.includes('"off"') || text.includes('"false"') || text.includes('"boolval":{}');
}

/** The statements of each transaction in the script, in order (statements outside any are left out). */
export function transactions(stmts: readonly ScriptStatement[], context: ScriptContext): ScriptStatement[][] {
  const out: ScriptStatement[][] = [];
  let open: ScriptStatement[] | null = null;
  // A change step's transaction starts at its first data statement: the schema changes that lead
  // it run on their own (src/runner/schemaChanges.ts).
  let leading = context.changeStep;
  for (const s of stmts) {
    if (leading && DATA.has(kindOf(s.stmt))) {
      leading = false;
      open = [];
    }
    const tx = s.stmt.TransactionStmt as Node | undefined;
    if (tx && (tx.kind === 'TRANS_STMT_BEGIN' || tx.kind === 'TRANS_STMT_START')) {
      if (open === null) open = [];
    } else if (tx && (tx.kind === 'TRANS_STMT_COMMIT' || tx.kind === 'TRANS_STMT_ROLLBACK')) {
      if (open) out.push(open);
      open = null;
    } else if (open) open.push(s);
  }
  if (open) out.push(open);
  return out;
}

export const TRANSACTION_RULES: readonly ScriptRule[] = [
  {
    id: 'ddl-dml-one-transaction',
    source: 'https://www.cockroachlabs.com/docs/stable/session-variables#autocommit-before-ddl (on by default from v25.1: a schema change in an explicit transaction commits it first); v25.1 release notes',
    dialects: ['cockroachdb'],
    check: (stmts, context) => {
      // A schema change after `SET [LOCAL] autocommit_before_ddl = off` stays in its transaction.
      const off = stmts.find((s) => turnsOffAutocommitBeforeDdl(s.stmt))?.location ?? Infinity;
      const hits: RuleHit[] = [];
      for (const tx of transactions(stmts, context)) {
        // A change step's transaction also holds the runner's journal update and lease lock.
        const hasDml = context.changeStep || tx.some((s) => isDml(s.stmt));
        if (!hasDml) continue;
        const ddl = tx.filter((x) => isDdl(x.stmt) && x.location < off);
        if (ddl.length === 0) continue;
        const more = ddl.length > 1 ? ` (and ${ddl.length - 1} more schema change(s) after it)` : '';
        hits.push({
          location: ddl[0]!.location,
          reason: context.changeStep
            ? `a schema change after a data statement in a change step${more}: the runner runs the schema changes that lead a step on their own and the rest as one transaction with its journal update and lease lock, and from v25.1 (autocommit_before_ddl on) a schema change commits that transaction early; move the schema change before the first data statement, or into a step of its own`
            : `a schema change and a data change in one transaction${more}: from v25.1 (autocommit_before_ddl on) a schema change commits the transaction early, so the two are no longer atomic; run the schema change outside the transaction, or SET autocommit_before_ddl = off first`,
        });
      }
      return hits;
    },
  },
  {
    id: 'copy-in-transaction',
    source: 'cockroachdb/cockroach PR 79629 (cockroach sql refuses COPY inside an explicit transaction, cli_copy_in_txn)',
    dialects: ['cockroachdb'],
    check: (stmts, context) =>
      // A copy-from step's by-hand command and the bundle run it without BEGIN on CockroachDB.
      transactions(stmts, { ...context, changeStep: context.changeStep && !context.copyFrom })
        .flatMap((tx) => tx.filter((s) => isCopyIn(s.stmt)))
        .map((s) => ({
          location: s.location,
          reason: context.changeStep
            ? 'COPY ... FROM STDIN in a change step without restitch:copy-from: the runner and a console run the step between BEGIN and COMMIT, and cockroach sql refuses COPY inside a transaction; load it with restitch:copy-from, outside a transaction'
            : 'COPY ... FROM STDIN inside BEGIN ... COMMIT: cockroach sql refuses COPY in an explicit transaction; run the COPY on its own',
        })),
  },
];
