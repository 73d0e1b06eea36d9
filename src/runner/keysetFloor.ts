/**
 * CockroachDB batches start after a literal floor (see templates/partials/common/keyset-batch.hbs):
 * an uncorrelated subquery cannot constrain a scan there (cockroachdb/cockroach issue 51820), a
 * literal can. Before every batch the runner reads the step's `restitch:floor` query and puts its
 * result in place of that literal, so each batch scans only its own span: CockroachDB's documented
 * batch loop (https://www.cockroachlabs.com/docs/stable/bulk-update-data). The literal is found
 * once, with PostgreSQL's parser; the statement is correct with any floor (the done table is
 * consulted too), binding only keeps it bounded.
 */
import { checkError } from '../core/errors.js';
import { sqlLiteral } from '../core/sql.js';
import { loadPgQuery } from '../core/where.js';

/** Where the floor literal stands in a batch statement: byte offset and the literal's bytes. */
export interface FloorSite {
  offset: number;
  literal: string;
}

type Node = Record<string, unknown>;

function constantOf(node: unknown): { sval: string; location: number } | null {
  const n = node as Node | undefined;
  const c = ((n?.TypeCast as Node | undefined)?.arg as Node | undefined)?.A_Const ?? n?.A_Const;
  const sval = ((c as Node | undefined)?.sval as { sval?: string } | undefined)?.sval;
  const location = (c as Node | undefined)?.location;
  return sval !== undefined && typeof location === 'number' ? { sval, location } : null;
}

function floors(node: unknown, out: { sval: string; location: number }[] = []): { sval: string; location: number }[] {
  if (Array.isArray(node)) node.forEach((n) => floors(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      const e = value as Node;
      if (key === 'A_Expr' && e.kind === 'AEXPR_OP' && JSON.stringify(e.name) === '[{"String":{"sval":">"}}]') {
        const fields = ((e.lexpr as Node | undefined)?.ColumnRef as Node | undefined)?.fields as { String?: { sval?: string } }[] | undefined;
        const constant = constantOf(e.rexpr);
        if (fields?.[0]?.String?.sval === 'src' && constant) out.push(constant);
      }
      floors(value, out);
    }
  }
  return out;
}

/** The one `src.<key> > '<literal>'` of a batch statement; `file` names the step in errors. */
export async function findFloor(body: string, file: string): Promise<FloorSite> {
  const pg = await loadPgQuery();
  const found = floors(pg.parseSync(body));
  if (found.length !== 1) throw checkError(`${file}: expected one key floor (src.<key> > '<literal>'), found ${found.length}`);
  const { sval, location } = found[0]!;
  const literal = sqlLiteral(sval);
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.subarray(location, location + Buffer.byteLength(literal)).toString('utf8') !== literal) {
    throw checkError(`${file}: could not locate the key floor ${literal}`);
  }
  return { offset: location, literal };
}

/** `body` with the floor literal replaced by `value` (null: the highest key done is none yet). */
export function bindFloor(body: string, site: FloorSite, value: string | null): string {
  if (value === null) return body;
  const bytes = Buffer.from(body, 'utf8');
  const end = site.offset + Buffer.byteLength(site.literal);
  return Buffer.concat([bytes.subarray(0, site.offset), Buffer.from(sqlLiteral(value), 'utf8'), bytes.subarray(end)]).toString('utf8');
}
