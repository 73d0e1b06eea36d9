/**
 * A check is one query of several rows, each row one fact (`check_name`, `ok`, `detail`),
 * written as SELECTs joined by `UNION ALL` lines. Split, each fact can be settled on its own:
 * the preflight's CPS row reads only pg_stat_activity and can be evaluated before the working
 * tables its other rows read exist. Pure.
 */

/**
 * The parts of a check: the text between top-level `UNION ALL` lines (the generator writes the
 * keyword on a line of its own). A query written otherwise is one part.
 */
export function checkMembers(body: string): string[] {
  const parts = body.split(/^UNION ALL[ \t]*$/m).map((p) => p.trim().replace(/;\s*$/, ''));
  return parts.length > 1 && parts.every((p) => /^(--[^\n]*\n\s*)*SELECT\b/i.test(p)) ? parts : [body.trim().replace(/;\s*$/, '')];
}
