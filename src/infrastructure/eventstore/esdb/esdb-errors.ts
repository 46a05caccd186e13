import { TimeoutError } from '../../shared/with-timeout.js';

/**
 * EventStoreDB did not answer in time. The client can wait forever on a server that accepts
 * TCP but never answers, so every call is bounded. A timed-out append may still have been
 * applied: retrying it with the same event ids is safe (idempotent append).
 */
export class EventStoreTimeoutError extends TimeoutError {
  constructor(operation: string, timeoutMs: number) {
    super(operation, timeoutMs, `EventStoreDB: ${operation} got no answer within ${timeoutMs} ms`);
  }
}

/** A stored event this adapter cannot turn into a RecordedEvent (not written by it, or corrupt). */
export class EsdbDecodeError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    reason: string,
  ) {
    super(`EventStoreDB event ${eventId} in ${streamId}: ${reason}`);
    this.name = 'EsdbDecodeError';
  }
}
