import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Snapshot } from '../../application/ports/snapshot-store.js';
import type { Json } from '../../domain/shared/json.js';

/** Any JSON value (the state is decoded later, by its decider's codec). */
const JsonValue = new t.Type<Json, Json, unknown>(
  'Json',
  (u): u is Json => u !== undefined && typeof u !== 'function' && typeof u !== 'symbol' && typeof u !== 'bigint',
  (u, c) => (u !== undefined && typeof u !== 'function' && typeof u !== 'symbol' && typeof u !== 'bigint' ? t.success(u as Json) : t.failure(u, c)),
  t.identity,
);

const Envelope = t.type({
  streamId: t.string,
  version: t.number,
  revision: t.number,
  eventId: t.string,
  state: JsonValue,
});

/** A stored snapshot as read back from either adapter; undefined for anything else (a corrupt or foreign record). */
export const decodeSnapshot = (u: unknown): Snapshot | undefined => {
  const decoded = Envelope.decode(u);
  return isRight(decoded) && Number.isInteger(decoded.right.revision) && decoded.right.revision >= 0 ? decoded.right : undefined;
};

/** JSON.parse that answers undefined instead of throwing. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};
