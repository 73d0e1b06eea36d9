/**
 * Identifier values that are no identifier: a broken PS rule turns them into one identifier
 * shared by unrelated customers, who are then glued into one entity.
 */

/** The documented list (docs/diagnose.md, `restitch diagnose`); whitespace-only values count as well. */
export const DEFAULT_JUNK_VALUES: readonly string[] = ['None', 'none', 'null', 'NULL', '0', '-1', '', 'nan', 'undefined', 'N/A', 'unknown'];

/**
 * The junk list to match against, extended by `--junk VALUE`: lower-cased and trimmed, because
 * values are compared as `lower(btrim(value))` (so `NONE`, ` None ` and `NaN` match too).
 */
export function junkKeys(extra: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_JUNK_VALUES, ...extra].map((v) => v.trim().toLowerCase()))].sort();
}

/** Whether `value` is junk under `keys` (from junkKeys): listed, or empty after trimming. */
export function isJunk(value: string, keys: readonly string[]): boolean {
  const key = value.trim().toLowerCase();
  return key === '' || keys.includes(key);
}
