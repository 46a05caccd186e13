import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { EventFilter } from '../../../application/ports/event-store.js';
import { isSystemEvent } from './esdb-events.js';

export type EventMatcher = (e: { readonly streamId: string; readonly type: string }) => boolean;

/**
 * Our filter semantics, applied to every event we hand out: never a system event; a stream
 * prefix (if any are given) and an exact type (if any are given) must both match. Empty lists
 * constrain nothing, as in the embedded store.
 */
export const eventMatcher = (filter: EventFilter | undefined): EventMatcher => {
  const prefixes = [...new Set(filter?.streamPrefixes ?? [])];
  const types = new Set(filter?.eventTypes ?? []);
  return (e) => !isSystemEvent(e) && (prefixes.length === 0 || prefixes.some((p) => e.streamId.startsWith(p))) && (types.size === 0 || types.has(e.type));
};

/**
 * The server-side filter for a subscription. The server filters on one thing only, so stream
 * prefixes win and types are then matched here; type "prefixes" are exact types, which the
 * matcher enforces (the server would also pass `FooBar` for `Foo`).
 */
export const serverFilter = (filter: EventFilter | undefined): Filter => {
  const prefixes = [...new Set(filter?.streamPrefixes ?? [])];
  if (prefixes.length > 0) return streamNameFilter({ prefixes });
  const types = [...new Set(filter?.eventTypes ?? [])];
  if (types.length > 0) return eventTypeFilter({ prefixes: types });
  return excludeSystemEvents();
};
