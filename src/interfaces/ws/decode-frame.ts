import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { actionDataCodecs, Envelope, isActionName, type ClientAction } from '../../application/wire/client-actions.js';

/** A decoded action, with the `ref` it carried (to be answered with `ack` or `error`); or why the frame is BAD_DATA. */
export type DecodeResult = { readonly ok: true; readonly value: ClientAction; readonly ref?: string } | { readonly ok: false; readonly reason: string };

/** No client action nests deeper than 3; anything past this is refused before it is parsed or walked. */
export const MAX_FRAME_DEPTH = 8;

/** The deepest `[`/`{` nesting of a JSON text, stopping early past `limit` (strings are skipped). */
export const nestingDepth = (text: string, limit: number): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
};

/**
 * Where decoding failed, by path and expected type. It never prints the offending value, so
 * no input (however deep or large) can make the report itself fail.
 */
const describeErrors = (errors: t.Errors): string =>
  errors
    .slice(0, 3)
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.');
      const expected = e.context[e.context.length - 1]?.type.name ?? 'value';
      return e.message ?? `${path === '' ? 'data' : path}: expected ${expected}`;
    })
    .join('; ');

/**
 * Whether every string in a parsed frame, keys included, is well-formed UTF-16. JSON may carry a
 * lone surrogate (`"\\ud800"`), which no UTF-8 store can keep: it would be served back as U+FFFD
 * over REST while live frames echoed it, so it is refused instead.
 */
const wellFormed = (value: unknown): boolean => {
  if (typeof value === 'string') return value.isWellFormed();
  if (Array.isArray(value)) return value.every(wellFormed);
  if (typeof value === 'object' && value !== null) return Object.entries(value).every(([k, v]) => k.isWellFormed() && wellFormed(v));
  return true;
};

/** Text frame → typed action, or the reason it is BAD_DATA. */
export const decodeFrame = (text: string): DecodeResult => {
  if (nestingDepth(text, MAX_FRAME_DEPTH) > MAX_FRAME_DEPTH) return { ok: false, reason: `nested deeper than ${MAX_FRAME_DEPTH}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'unparsable JSON' };
  }
  if (!wellFormed(json)) return { ok: false, reason: 'a string holds a lone surrogate (not well-formed UTF-16)' };
  const envelope = Envelope.decode(json);
  if (isLeft(envelope)) return { ok: false, reason: 'expected {"action": string, "data": object, "ref"?: string of 1-64 characters}' };
  const { action, data, ref } = envelope.right;
  if (!isActionName(action)) return { ok: false, reason: `unknown action ${JSON.stringify(action.slice(0, 60))}` };
  const decoded = actionDataCodecs[action].decode(data);
  if (isLeft(decoded)) return { ok: false, reason: `${action}: ${describeErrors(decoded.left).slice(0, 200)}` };
  // The codec chosen by `action` decoded `data`, so the pair is that member of the union.
  const value = { action, data: decoded.right } as ClientAction;
  return ref === undefined ? { ok: true, value } : { ok: true, value, ref };
};
