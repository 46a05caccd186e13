import type { EventFilter, EventStore, Position, ReadAllOptions, RecordedEvent, StoredEventText } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';

/** Events per page when a range does not say. */
export const DEFAULT_PAGE_SIZE = 1000;

export interface LogRange {
  /** Exclusive start; undefined: the start of the log. */
  readonly after?: Position;
  /** Inclusive end; undefined: the log's head as each page is read. */
  readonly until?: Position;
  readonly filter?: EventFilter;
  readonly pageSize?: number;
}

export interface LogPage<E extends { readonly position: Position } = RecordedEvent> {
  readonly events: readonly E[];
  /**
   * Where a reader of this page stands: its last event, or beyond it once the page was the last
   * one (the log's head when it was read, as a filtered page says nothing of the events it skipped).
   */
  readonly through: Position;
}

const later = (a: Position, b: Position): Position => (comparePositions(a, b) >= 0 ? a : b);
const earlier = (a: Position, b: Position): Position => (comparePositions(a, b) <= 0 ? a : b);

/**
 * The one loop over the log's pages: in position order within `range`, the next page read while
 * the caller works on this one. Every consumer's catch-up and every bounded pass (rebuild,
 * resume, export, audit) goes through it. It knows no event type (stored-pages.ts decodes), so a
 * tool that reads stored text only, as `ledger verify`'s threads do, starts without the codecs.
 */
export const pagesOf = (store: Pick<EventStore, 'readAll' | 'headPosition'>, range: LogRange = {}): AsyncGenerator<LogPage> =>
  pagesWith(store, (options) => store.readAll(options), range);

/**
 * `pagesOf` with data and metadata as the stored JSON text (`readAllText`), for a store that has
 * it; any other is read with `readAll` and its values written back as JSON.
 */
export const textPagesOf = (
  store: Pick<EventStore, 'readAll' | 'readAllText' | 'headPosition'>,
  range: LogRange = {},
): AsyncGenerator<LogPage<StoredEventText>> => {
  const readText = store.readAllText?.bind(store);
  return pagesWith(store, readText ?? (async (options) => (await store.readAll(options)).map(asText)), range);
};

const asText = (e: RecordedEvent): StoredEventText => ({
  id: e.id,
  streamId: e.streamId,
  revision: e.revision,
  type: e.type,
  data: JSON.stringify(e.data),
  metadata: JSON.stringify(e.metadata),
  position: e.position,
});

async function* pagesWith<E extends { readonly position: Position }>(
  store: Pick<EventStore, 'headPosition'>,
  readPage: (options: ReadAllOptions) => Promise<readonly E[]>,
  range: LogRange,
): AsyncGenerator<LogPage<E>> {
  const size = range.pageSize ?? DEFAULT_PAGE_SIZE;
  // The head is read before the page: a page shorter than asked then covers the log up to it.
  const read = async (after: Position | undefined) => {
    const head = await store.headPosition();
    const page = await readPage({
      ...(after === undefined ? {} : { after }),
      ...(range.filter === undefined ? {} : { filter: range.filter }),
      maxCount: size,
    });
    return { head, page };
  };
  let after = range.after;
  // A caller that stops early leaves the read ahead unawaited: its failure must not go unhandled.
  const ahead = (p: Position | undefined) => {
    const reading = read(p);
    reading.catch(() => undefined);
    return reading;
  };
  let next = ahead(after);
  for (;;) {
    const { head, page } = await next;
    const until = range.until;
    const events = until === undefined ? page : page.filter((e) => comparePositions(e.position, until) <= 0);
    const last = events[events.length - 1]?.position;
    const done = events.length < page.length || page.length < size;
    if (!done && last !== undefined) next = ahead(last);
    let through = last ?? after;
    if (done && head !== undefined) {
      const reached = until === undefined ? head : earlier(head, until);
      through = through === undefined ? reached : later(through, reached);
    }
    if (through !== undefined && (after === undefined || comparePositions(through, after) > 0)) yield { events, through };
    if (done) return;
    after = last;
  }
}
