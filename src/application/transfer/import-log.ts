import type { EventStore, NewEvent } from '../ports/event-store.js';
import { parseLogLine, toNewEventFromLine, type LogLine } from './log-line.js';

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

interface Run {
  readonly stream: string;
  readonly firstRevision: number;
  readonly events: NewEvent[];
}

/**
 * Loads an exported log into an EMPTY store, preserving order, ids and stream revisions.
 * Consecutive events of one stream go in one append with the expected revision they had, so
 * a damaged or reordered file fails loudly instead of forking history. `window` appends may be
 * in flight at once (the embedded store commits them in submission order; use 1 for a server).
 */
export interface ImportOptions {
  readonly window: number;
  readonly onProgress?: (events: number) => void;
  /**
   * Each line as it is to be stored: an export written before personal data was sealed has its
   * personal fields sealed and its username streams renamed here (erasure/legacy.ts); a line
   * already sealed must come back as it is (the ledger hashes what the export says).
   */
  readonly upgrade?: (line: LogLine) => Promise<LogLine>;
}

export const importLog = async (store: EventStore, lines: AsyncIterable<string>, options: ImportOptions = { window: 1 }): Promise<number> => {
  if ((await store.headPosition()) !== undefined)
    throw new ImportError('the target store already holds events: import only into an empty store (a fresh DATA_DIR or EventStoreDB database)');
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  let count = 0;
  let run: Run | undefined;

  const submit = async (r: Run): Promise<void> => {
    if (failure !== undefined) throw failure;
    const expected = r.firstRevision === 0 ? 'no_stream' : r.firstRevision - 1;
    const p = store.append(r.stream, r.events, expected).then(
      (result) => {
        if (result._tag === 'Conflict')
          failure ??= new ImportError(`Stream ${r.stream} at revision ${r.firstRevision} conflicts (actual ${String(result.actual)})`);
      },
      (err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= options.window) await Promise.race(inFlight);
  };

  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    const parsed: LogLine = parseLogLine(text, lineNumber);
    const line = options.upgrade === undefined ? parsed : await options.upgrade(parsed);
    const event = toNewEventFromLine(line);
    if (run !== undefined && run.stream === line.stream && run.firstRevision + run.events.length === line.revision && run.events.length < 500) {
      run.events.push(event);
    } else {
      if (run !== undefined) await submit(run);
      run = { stream: line.stream, firstRevision: line.revision, events: [event] };
    }
    count += 1;
    if (count % 10_000 === 0) options.onProgress?.(count);
  }
  if (run !== undefined) await submit(run);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  options.onProgress?.(count);
  return count;
};
