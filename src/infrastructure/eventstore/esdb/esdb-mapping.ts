import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type CurrentRevision, type Position as EsdbPosition } from '@eventstore/db-client';
import type { AppendResult, ExpectedRevision, Position } from '../../../application/ports/event-store.js';

/** Our expected revision as the client's; a number must be a revision (>= 0). */
export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!(Number.isSafeInteger(expected) && expected >= 0)) {
        throw new RangeError(`expected revision must be 'any', 'no_stream', 'stream_exists' or a revision >= 0, got ${expected}`);
      }
      return BigInt(expected);
  }
};

/** A stream revision or count from the client (bigint) as a number. */
export const toRevision = (value: bigint): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`EventStoreDB revision ${value} is not a safe integer`);
  return n;
};

/** The client reports a missing stream as 'no_stream'; older servers as -1. */
export const toActualRevision = (current: CurrentRevision): number | 'no_stream' => (current === NO_STREAM || current < 0n ? 'no_stream' : toRevision(current));

export const toConflict = (streamId: string, expected: ExpectedRevision, current: CurrentRevision): AppendResult => ({
  _tag: 'Conflict',
  streamId,
  expected,
  actual: toActualRevision(current),
});

/** EventStoreDB's rule, for the appends we answer locally; `current` undefined: no stream. */
export const satisfiesExpected = (expected: ExpectedRevision, current: number | undefined): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
};

export const fromEsdbPosition = (p: EsdbPosition): Position => ({ commit: p.commit, prepare: p.prepare });

export const toEsdbPosition = (p: Position): EsdbPosition => ({ commit: p.commit, prepare: p.prepare });
