import type { EventFilter, RecordedEvent } from '../../../application/ports/event-store.js';

/** A filter normalised for SQL and for matching live events in memory. */
export interface CompiledFilter {
  /** Identifies the SQL shape, so prepared statements can be cached per shape. */
  readonly shapeKey: string;
  /** `AND ...` clause to append to a WHERE (empty when nothing is filtered). */
  readonly sql: string;
  readonly params: readonly string[];
  readonly matches: (event: RecordedEvent) => boolean;
}

const NO_FILTER: CompiledFilter = { shapeKey: '0:0', sql: '', params: [], matches: () => true };

export const compileFilter = (filter: EventFilter | undefined): CompiledFilter => {
  const prefixes = [...new Set(filter?.streamPrefixes ?? [])];
  const types = [...new Set(filter?.eventTypes ?? [])];
  if (prefixes.length === 0 && types.length === 0) return NO_FILTER;

  const clauses: string[] = [];
  if (prefixes.length > 0) {
    // substr rather than LIKE: LIKE is case-insensitive and treats % and _ as wildcards.
    clauses.push(`(${prefixes.map(() => 'substr(stream_id, 1, length(?)) = ?').join(' OR ')})`);
  }
  if (types.length > 0) clauses.push(`type IN (${types.map(() => '?').join(', ')})`);

  const typeSet = new Set(types);
  return {
    shapeKey: `${prefixes.length}:${types.length}`,
    sql: `AND ${clauses.join(' AND ')}`,
    params: [...prefixes.flatMap((p) => [p, p]), ...types],
    matches: (e) => (prefixes.length === 0 || prefixes.some((p) => e.streamId.startsWith(p))) && (typeSet.size === 0 || typeSet.has(e.type)),
  };
};
