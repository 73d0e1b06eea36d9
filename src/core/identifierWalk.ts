/**
 * A walk over the events of chosen entities, one identifier after another, paged by event id
 * within each identifier (CockroachDB's multi-entity export, templates/steps/current/export-events.sql.hbs).
 *
 * `customer_events.identifiers @> ARRAY['<one identifier>']` is a constrained scan of the inverted
 * index on identifiers (cockroachdb/cockroach pkg/sql/opt/exec/execbuilder/testdata/inverted_index:
 * `EXPLAIN SELECT * FROM e WHERE b @> ARRAY[8]` is an index join over `scan e@bidx, spans: 1 span`),
 * and its entries are keyed by (array element, primary key) (same file: `INSERT INTO e VALUES(0,
 * ARRAY[7,0,...])` writes `InitPut /Table/107/2/7/0/0`, element 7 then primary key 0;
 * https://www.cockroachlabs.com/docs/stable/inverted-indexes), so one identifier's events come in
 * id order and can be paged by id. The identifier and the id to start
 * after are literals the runner binds before every batch: a subquery's value would not constrain
 * the scan (cockroachdb/cockroach issue 51820). The done table keeps one row per batch,
 * (identifier, highest id of the batch), and (identifier, MAX_UUID) once an identifier has no event
 * left. Every query here reads only the entity backup and the done table: no statement of the walk
 * reads customer_events beyond the chosen identifiers' index entries.
 */

/** The id before every id: where a walk of one identifier starts. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Recorded as an identifier's highest id once its events are all exported. */
export const WALKED_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** The distinct non-null identifiers of the entities in `entities` (a work table), as a FROM item `w (identifier)`. */
function identifiersOf(entities: string): string {
  return `(SELECT DISTINCT held.identifier FROM ${entities} AS a CROSS JOIN LATERAL unnest(a.identifiers) AS held (identifier) WHERE held.identifier IS NOT NULL) AS w`;
}

function finished(done: string): string {
  return `EXISTS (SELECT 1 FROM ${done} AS done WHERE done.identifier = w.identifier AND done.id = '${WALKED_UUID}'::uuid)`;
}

/**
 * Where the walk stands: one row, the first identifier not walked to its end and the highest id
 * done within it (the nil UUID when none); no row once every identifier is walked.
 */
export function identifierWalkFloor(done: string, entities: string): string {
  return `SELECT w.identifier, coalesce((SELECT CAST(done.id AS text) FROM ${done} AS done WHERE done.identifier = w.identifier ORDER BY done.id DESC LIMIT 1), '${NIL_UUID}') AS floor FROM ${identifiersOf(entities)} WHERE NOT ${finished(done)} ORDER BY w.identifier LIMIT 1`;
}

/**
 * Progress in batches, from the work itself: the batches done (rows of the done table) against
 * those plus two per identifier not yet walked (a page of events and the empty page that ends it;
 * an identifier with more events than a batch takes more). No count over customer_events.
 */
export function identifierWalkProgress(done: string, entities: string): string {
  return `SELECT (SELECT count(*) FROM ${done}) AS done, (SELECT count(*) FROM ${done}) + 2 * (SELECT count(*) FROM ${identifiersOf(entities)} WHERE NOT ${finished(done)}) AS total`;
}

/** The header's by-hand lines for a step that walks identifiers. */
export function identifierWalkByHand(console: string): string[] {
  return [
    'By hand: run the restitch:floor query above. While it returns a row, put its identifier in',
    'place of the literal before each "-- restitch:identifier" and its floor in place of the',
    'literal before "-- restitch:floor", run the statement, and run the query again. When it',
    `returns no row the export is done. As generated (identifier '') the statement exports nothing`,
    `and ${console} prints INSERT 0 0: the identifier must be one of the entity backup's.`,
  ];
}
