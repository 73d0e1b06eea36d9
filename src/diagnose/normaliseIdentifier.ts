/**
 * The form two identifier values share when they name the same customer. Each normalisation
 * merges only what is provably one value (docs/diagnose-normalise.md lists them with examples):
 * - surrounding whitespace is always dropped;
 * - `case`: letters lower-cased (`Bob@Example.COM` = `bob@example.com`);
 * - `number`: a whole-value number without sign noise, leading zeros or trailing fractional
 *   zeros (12345, 12345.0, 012345 and +12345 are all 12345);
 * - `number-token`: a number standing as a token inside a value loses an all-zero fraction, the
 *   trace of a float rendering (`cust:12345.0` = `cust:12345`); leading zeros stay (`cust:007`
 *   is not `cust:7`: zero padding is a format, not noise);
 * - `phone`: an international phone number (`+` or `00`, then 8 to 15 digits in groups split by
 *   single spaces, hyphens, dots, slashes or parentheses) becomes `+` and its digits
 *   (`+420 123 456 789` = `00420123456789` = `+420123456789`); a number without a country code
 *   is left alone, so it never meets one with it;
 * - `email`: an e-mail address (optionally after `mailto:`) lower-cased; dots and `+tags` stay,
 *   as ignoring them is one provider's rule, not the address's.
 */
import { inputError } from '../core/errors.js';

/** One normalisation `--normalise` can choose. */
export type Normalisation = 'case' | 'number' | 'number-token' | 'phone' | 'email';

/** Every normalisation, in the order they are documented. */
export const NORMALISATIONS: readonly Normalisation[] = ['case', 'number', 'number-token', 'phone', 'email'];

/** The default: every normalisation (each merges only provably equal values). */
export const DEFAULT_NORMALISATIONS: readonly Normalisation[] = NORMALISATIONS;

const WHOLE_NUMBER = /^([+-]?)(\d+)(?:\.(\d*))?$/;
/** A number token: not touching a letter, a digit, a dot or an underscore on either side. */
const NUMBER_TOKEN = /(?<![\p{L}\p{N}._])(\d+)\.0+(?![\p{L}\p{N}._])/gu;
/** `+` or `00`, a non-zero first digit, then digit groups split by one separator (a space may flank a parenthesis). */
const PHONE = /^(?:\+|00)([1-9]\d*(?:(?:[ .\/-]|\) ?| ?\()\d+)*)$/;
const EMAIL = /^(?:mailto:)?([^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]+)$/i;

function wholeNumber(text: string): string | null {
  const number = WHOLE_NUMBER.exec(text);
  if (!number) return null;
  const whole = (number[2] ?? '').replace(/^0+(?=\d)/, '');
  const fraction = (number[3] ?? '').replace(/0+$/, '');
  const zero = whole === '0' && fraction === '';
  return `${number[1] === '-' && !zero ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

function phone(text: string): string | null {
  // One dot and digits is a decimal number (`0012345.000`), not a phone number split by a dot.
  if (WHOLE_NUMBER.test(text) && text.includes('.')) return null;
  const match = PHONE.exec(text);
  if (!match) return null;
  const body = match[1] ?? '';
  const opened = body.split('(').length;
  // Parentheses pair up and hold no trunk prefix: in `+44 (0)20` the 0 is dialled only at home.
  if (opened !== body.split(')').length || /\(0+\)/.test(body)) return null;
  const digits = body.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}

/**
 * Parses `--normalise`: comma-separated names, `none` or `default` (absent: the default).
 * Refuses an unknown name, listing the known ones.
 */
export function parseNormalisations(list: string | undefined): Normalisation[] {
  if (list === undefined) return [...DEFAULT_NORMALISATIONS];
  const chosen = new Set<Normalisation>();
  for (const name of list.split(',').map((n) => n.trim().toLowerCase())) {
    if (name === 'none') continue;
    if (name === 'default') DEFAULT_NORMALISATIONS.forEach((n) => chosen.add(n));
    else if ((NORMALISATIONS as readonly string[]).includes(name)) chosen.add(name as Normalisation);
    else throw inputError(`--normalise '${name}' is not a normalisation; choose from ${NORMALISATIONS.join(', ')}, none, default (comma-separated)`);
  }
  return NORMALISATIONS.filter((n) => chosen.has(n));
}

/** The normal form of `raw` under `normalisations` (default: DEFAULT_NORMALISATIONS). */
export function normaliseIdentifier(raw: string, normalisations: readonly Normalisation[] = DEFAULT_NORMALISATIONS): string {
  const on = (n: Normalisation) => normalisations.includes(n);
  let text = raw.trim();
  const asPhone = on('phone') ? phone(text) : null;
  if (asPhone !== null) return asPhone;
  const email = on('email') ? EMAIL.exec(text) : null;
  if (email) return (email[1] ?? '').toLowerCase();
  const number = on('number') ? wholeNumber(text) : null;
  if (number !== null) return number;
  if (on('number-token')) text = text.replace(NUMBER_TOKEN, '$1');
  return on('case') ? text.toLowerCase() : text;
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
export function splitGroups(pairs: readonly { entity: string; value: string }[], normalisations: readonly Normalisation[] = DEFAULT_NORMALISATIONS): SplitGroup[] {
  const byNormal = new Map<string, Map<string, Set<string>>>();
  for (const { entity, value } of pairs) {
    const normal = normaliseIdentifier(value, normalisations);
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
