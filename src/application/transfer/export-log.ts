import { pagesOf } from '../log/log-reader.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { toLogLine } from './log-line.js';

export interface ExportOptions {
  readonly pageSize?: number;
  /** After each page: events written so far and the last one's position. */
  readonly onPage?: (events: number, last: Position) => void;
}

/** Streams the whole log as stored, in order, as NDJSON lines to `write`; returns the number of events. */
export const exportLog = async (
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  write: (line: string) => Promise<void>,
  options: ExportOptions = {},
): Promise<number> => {
  let count = 0;
  for await (const page of pagesOf(store, { pageSize: options.pageSize ?? 5000 })) {
    for (const e of page.events) await write(`${toLogLine(e)}\n`);
    count += page.events.length;
    const last = page.events[page.events.length - 1];
    if (last !== undefined) options.onPage?.(count, last.position);
  }
  return count;
};
