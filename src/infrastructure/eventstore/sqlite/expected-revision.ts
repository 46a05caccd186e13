import type { ExpectedRevision } from '../../../application/ports/event-store.js';

/** EventStoreDB's rule; `current` is the revision of the stream's last event, undefined if none. */
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

export const assertValidExpected = (expected: ExpectedRevision): void => {
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new RangeError(`expected revision must be 'any', 'no_stream', 'stream_exists' or a revision >= 0, got ${expected}`);
  }
};
