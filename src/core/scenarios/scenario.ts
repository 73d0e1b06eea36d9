import type { Dialect } from '../dialects/index.js';
import type { DialectName, RunbookInputs, SchemaProfile, StepKind } from '../types.js';

/** Options of `generate` a scenario may take (each is refused by scenarios that ignore it). */
export type ScenarioOption = 'entities' | 'where' | 'eventTime' | 'batchSize' | 'maxEvents' | 'deleteWhere';

/** Columns of customer_attributes a scenario changes, and so backs up. */
export type EntityColumn = 'modified' | 'identifiers' | 'calculated';

/** A progress query for a batch step: rows done so far against the total to do. */
export interface ProgressSpec {
  /** Work-table key of the done table. */
  done: string;
  /** Work-table key, or a live table name (used as is). */
  source: string;
  filter?: string;
  /**
   * The done table holds one row per batch (the highest key it read), not every key: progress
   * then counts batches, against the source's rows divided by the batch size.
   */
  perBatch?: boolean;
  /**
   * Work-table key of the entities whose events the walk reads, one identifier after another and
   * by id within each (src/core/identifierWalk.ts): the runner binds the identifier and the id to
   * start after, and the progress comes from the identifiers left, not from the source's size.
   */
  identifiers?: string;
  /**
   * The walk can be split into key ranges walked side by side (`restitch run --parallel`): the
   * template passes `ranged=true` to keyset-batch, and the header carries `restitch:ranges`.
   * The done table must hold every key (not perBatch).
   */
  ranged?: boolean;
}

/**
 * One step of a scenario, as data. `template` names a file under templates/steps/ (without
 * `.sql.hbs`); `why` and `expect` are Handlebars strings rendered with the same context.
 */
export interface StepSpec {
  slug: string;
  kind: StepKind;
  title: string;
  template: string;
  why: string;
  expect: string;
  /** Extra values for the template, visible as `p.*`. */
  params?: Record<string, unknown>;
  /**
   * `wait` steps: seconds between tries and before giving up; `hold`: a wait that must stay ok on
   * every try for that many seconds and stops at the first try that is not (StepHeader.holdSeconds).
   */
  wait?: { interval: number; timeout: number; hold?: number };
  /** `check` steps whose facts can go stale during a pause: rendered `restitch:recheck-on-resume` (StepHeader). */
  recheckOnResume?: true;
  progress?: ProgressSpec;
  /** The step's body ends in `COPY ... FROM STDIN` whose data is the runbook's entities.txt. */
  copyFromEntities?: true;
}

/** A scenario: which dialects it supports, what it takes, and its steps and undo steps. */
export interface Scenario {
  name: string;
  /** One line for `restitch scenarios`. */
  purpose: string;
  dialects: readonly DialectName[];
  schema: SchemaProfile;
  /** Options it accepts; `entities` means at least one entity is required unless `where` selects them. */
  options: readonly ScenarioOption[];
  /** Default for --work-schema. */
  defaultWorkSchema: string;
  /** Work tables it creates (keys of the work-table catalog). */
  tables: (inputs: RunbookInputs) => readonly string[];
  entityColumns: readonly EntityColumn[];
  /**
   * Working tables (catalog keys) that one step loads whole on `dialect`, building their keys
   * after loading them (WorkTableDef.keysAfterLoad); none when absent.
   */
  keysAfterLoad?: (dialect: Dialect) => readonly string[];
  /** Scenario-specific input rules; throw an input error to refuse. */
  validate?: (inputs: RunbookInputs) => void;
  steps: (inputs: RunbookInputs) => StepSpec[];
  undo: (inputs: RunbookInputs) => StepSpec[];
  /** runbook.md: what to watch while it runs. */
  watch: readonly string[];
  /**
   * The step (slug) from which undo no longer applies, and why: from the moment it is done, undo
   * could not put back what it promises. Rendered as `restitch:point-of-no-return` on that step,
   * which the runner reads to refuse undo. null: undo applies at every point of the run.
   */
  pointOfNoReturn: { slug: string; why: string } | null;
  /** runbook.md: what undo puts back, and what stops it. */
  undoValidity: string;
  /**
   * Steps (by slug) that read a whole platform table by design, and why: the acceptance run
   * labels their whole-table plans instead of refusing them (`--max-scan-rows`).
   */
  fullScans?: Readonly<Record<string, string>>;
}
