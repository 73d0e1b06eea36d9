/**
 * A proposed PS rule as a function: what the stitcher takes as the identifier of an event's
 * payload value. It is built from the options diagnose reads the data with (`--junk`,
 * `--normalise`), so what diagnose calls a split customer is what the rule joins, and what it
 * calls junk is what the rule ignores (`restitch rehearse` runs the stitcher with it).
 */
import { isJunk, junkKeys } from './junkValues.js';
import { normaliseIdentifier, type Normalisation } from './normaliseIdentifier.js';

/** The identifier of a payload value, or null when the value is no identifier. */
export type IdentifierRule = (raw: unknown) => string | null;

/** The rule that ignores the junk values (the documented list plus `junk`) and normalises the rest. */
export function identifierRule(junk: readonly string[], normalisations: readonly Normalisation[]): IdentifierRule {
  const keys = junkKeys(junk);
  return (raw) => {
    if (raw === null || raw === undefined || typeof raw === 'object') return null;
    const text = String(raw);
    return isJunk(text, keys) ? null : normaliseIdentifier(text, normalisations);
  };
}
