import { CanonicalJsonError, canonicalJsonOf } from '../../../application/ledger/canonical-json.js';

/**
 * The text an event's data or metadata is stored as: RFC 8785 canonical JSON, the very text its
 * ledger leaf hashes, so that `ledger verify` can hash stored text as it reads it instead of
 * canonicalising every event again (verify-slices.ts). It parses to the same value as
 * JSON.stringify's text. A value canonical JSON refuses (a non-finite number, which no codec
 * lets through) is stored as JSON.stringify writes it: the verifier canonicalises that text itself.
 */
export const storedJsonOf = (value: unknown): string | undefined => {
  try {
    return canonicalJsonOf(value);
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw e;
    // Undefined for what JSON has no text for (a function, undefined itself).
    const text: unknown = JSON.stringify(value);
    return typeof text === 'string' ? text : undefined;
  }
};
