import type { EventMetadata } from '../../../application/ports/event-store.js';

/** Stored event metadata: ours, plus the keys EventStoreDB's own tooling (projections, UI) reads. */
export interface EsdbMetadata extends EventMetadata {
  readonly $correlationId: string;
  readonly $causationId?: string;
}

export const toEsdbMetadata = (m: EventMetadata): EsdbMetadata => ({
  ...m,
  $correlationId: m.correlationId,
  ...(m.causationId === undefined ? {} : { $causationId: m.causationId }),
});

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/**
 * Our metadata back from what the client parsed, or a reason it is not ours. Only the known
 * keys are kept (the `$` copies are dropped), and absent optional keys stay absent.
 */
export const fromEsdbMetadata = (raw: unknown): EventMetadata | string => {
  if (!isRecord(raw)) return 'metadata is not a JSON object';
  const { userId, correlationId, causationId, timestamp, schemaVersion } = raw;
  if (typeof correlationId !== 'string') return 'metadata.correlationId is not a string';
  if (typeof timestamp !== 'string') return 'metadata.timestamp is not a string';
  if (schemaVersion !== undefined && typeof schemaVersion !== 'number') return 'metadata.schemaVersion is not a number';
  if (!optionalString(userId)) return 'metadata.userId is not a string';
  if (!optionalString(causationId)) return 'metadata.causationId is not a string';
  return {
    ...(userId === undefined ? {} : { userId }),
    correlationId,
    ...(causationId === undefined ? {} : { causationId }),
    timestamp,
    ...(schemaVersion === undefined ? {} : { schemaVersion }),
  };
};
