import type { EventStore, Position } from '../ports/event-store.js';
import { toLogLine } from './log-line.js';

export interface ExportOptions {
  readonly pageSize?: number;
  /** After each page: events written so far and the last one's position. */
  readonly onPage?: (events: number, last: Position) => void;
}

/** Streams the whole log, in order, as NDJSON lines to `write`; returns the number of events. */
export const exportLog = async (store: EventStore, write: (line: string) => Promise<void>, options: ExportOptions = {}): Promise<number> => {
  const pageSize = options.pageSize ?? 5000;
  let after: Position | undefined;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
    for (const e of page) await write(`${toLogLine(e)}\n`);
    count += page.length;
    const last = page[page.length - 1];
    if (last !== undefined) options.onPage?.(count, last.position);
    if (last === undefined || page.length < pageSize) return count;
    after = last.position;
  }
};
