import { domainEvents } from '../../domain/events.js';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { pagesOf, type LogRange } from './log-reader.js';
import { decodeStored, type Stored } from './stored.js';

/** `pagesOf`, decoded: events of types this code does not know (foreign events in a shared store) are left out. */
export async function* storedPagesOf(
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  personal: PersonalData,
  range: LogRange = {},
): AsyncGenerator<{ readonly events: readonly Stored[]; readonly through: Position }> {
  for await (const page of pagesOf(store, range)) {
    const events: Stored[] = [];
    // The page's keys in one call, then every event decoded without waiting.
    await personal.prepare(domainEvents, page.events);
    for (const recorded of page.events) {
      const stored = decodeStored(domainEvents, recorded, personal);
      if (stored !== undefined) events.push(stored);
    }
    yield { events, through: page.through };
  }
}
