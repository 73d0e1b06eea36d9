/**
 * `--batch-size`: the batch statement with another LIMIT. The runbook's batch size is a literal
 * in the file (so the file stays pasteable); the runner finds that one LIMIT with PostgreSQL's
 * parser and replaces only those digits, then parses the result again to prove it.
 */
import { checkError } from '../core/errors.js';
import { loadPgQuery } from '../core/where.js';

interface Limit {
  value: number;
  location: number;
}

function limits(node: unknown, out: Limit[] = []): Limit[] {
  if (Array.isArray(node)) {
    for (const item of node) limits(item, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      const constant = key === 'limitCount' ? (value as { A_Const?: { ival?: { ival?: number }; location?: number } }).A_Const : undefined;
      if (constant?.ival?.ival !== undefined && constant.location !== undefined) out.push({ value: constant.ival.ival, location: constant.location });
      limits(value, out);
    }
  }
  return out;
}

/** `body` with its `LIMIT <from>` changed to `LIMIT <to>`; `file` names the step in errors. */
export async function withBatchSize(body: string, from: number, to: number, file: string): Promise<string> {
  if (from === to) return body;
  const pg = await loadPgQuery();
  const found = limits(pg.parseSync(body)).filter((l) => l.value === from);
  if (found.length !== 1) {
    throw checkError(`${file}: expected exactly one LIMIT ${from} (the runbook's batch size), found ${found.length}; run without --batch-size`);
  }
  // Parser locations are byte offsets.
  const bytes = Buffer.from(body, 'utf8');
  const at = found[0]!.location;
  const digits = String(from);
  if (bytes.subarray(at, at + digits.length).toString('utf8') !== digits) throw checkError(`${file}: could not locate LIMIT ${from}`);
  const changed = Buffer.concat([bytes.subarray(0, at), Buffer.from(String(to)), bytes.subarray(at + digits.length)]).toString('utf8');
  if (limits(pg.parseSync(changed)).filter((l) => l.value === to).length < 1) throw checkError(`${file}: could not apply --batch-size ${to}`);
  return changed;
}
