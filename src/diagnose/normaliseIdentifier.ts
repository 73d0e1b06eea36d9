/**
 * The form two identifier values share when they name the same customer: surrounding
 * whitespace dropped, letters lower-cased, numbers written without sign noise, leading zeros
 * or trailing fractional zeros (12345, 12345.0, 012345 and +12345 are all 12345).
 */
export function normaliseIdentifier(raw: string): string {
  const text = raw.trim();
  const number = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (number) {
    const whole = (number[2] ?? '').replace(/^0+(?=\d)/, '');
    const fraction = (number[3] ?? '').replace(/0+$/, '');
    const zero = whole === '0' && fraction === '';
    return `${number[1] === '-' && !zero ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
  }
  return text.toLowerCase();
}

/** Values that become equal after normalisation but are held by different entities. */
export interface SplitGroup {
  /** The shared normal form. */
  normal: string;
  /** Each raw value with the entities that hold it, sorted. */
  holders: { value: string; entities: string[] }[];
  /** Every entity of the group, sorted. */
  entities: string[];
}

/** Groups (entity, value) pairs by normal form; keeps groups of two or more values held by two or more entities. */
export function splitGroups(pairs: readonly { entity: string; value: string }[]): SplitGroup[] {
  const byNormal = new Map<string, Map<string, Set<string>>>();
  for (const { entity, value } of pairs) {
    const normal = normaliseIdentifier(value);
    const values = byNormal.get(normal) ?? new Map<string, Set<string>>();
    values.set(value, (values.get(value) ?? new Set()).add(entity));
    byNormal.set(normal, values);
  }
  const groups: SplitGroup[] = [];
  for (const [normal, values] of byNormal) {
    const entities = [...new Set([...values.values()].flatMap((s) => [...s]))].sort();
    if (values.size < 2 || entities.length < 2) continue;
    const holders = [...values].map(([value, s]) => ({ value, entities: [...s].sort() })).sort((a, b) => a.value.localeCompare(b.value));
    groups.push({ normal, holders, entities });
  }
  return groups.sort((a, b) => a.normal.localeCompare(b.normal));
}
