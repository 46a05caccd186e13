import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { JsonObject } from '../../domain/shared/json.js';
import { leafEventOf } from '../ledger/leaf.js';
import type { NewEvent, RecordedEvent } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';

/** One line of an exported log (newline-delimited JSON), in log order. */
const LogLine = t.type({
  id: t.string,
  stream: t.string,
  revision: t.number,
  type: t.string,
  data: t.UnknownRecord,
  metadata: t.intersection([
    t.type({ correlationId: t.string, timestamp: t.string }),
    t.partial({ userId: t.string, causationId: t.string, schemaVersion: t.number }),
  ]),
  position: t.string,
});
export type LogLine = t.TypeOf<typeof LogLine>;

/** A leaf is this line less its position (ledger/leaf.ts): both are written from the one mapping. */
export const toLogLine = (e: RecordedEvent): string => JSON.stringify({ ...leafEventOf(e), position: formatPosition(e.position) });

export class LogLineError extends Error {
  override readonly name = 'LogLineError';
}

/** `id missing, revision invalid`: the fields at fault, not io-ts's whole type. */
const describeFields = (errors: t.Errors): string => {
  const fields = new Map<string, string>();
  for (const e of errors) {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '' && !/^\d+$/.test(k))
      .join('.');
    fields.set(path || 'the line', e.value === undefined ? 'missing' : 'invalid');
  }
  return [...fields].map(([path, what]) => `${path} ${what}`).join(', ');
};

export const parseLogLine = (text: string, lineNumber: number): LogLine => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LogLineError(`line ${lineNumber}: not JSON`);
  }
  const decoded = LogLine.decode(json);
  if (isLeft(decoded)) throw new LogLineError(`line ${lineNumber}: not an exported event (${describeFields(decoded.left)})`);
  return decoded.right;
};

/** The line's data: JSON parsed from the line, so JSON values (io-ts's UnknownRecord says no more). */
export const lineData = (line: LogLine): JsonObject => line.data as JsonObject;

/**
 * Lines carry what the store stores, and are stored as they say: nothing added (an event written
 * before versioning keeps no schemaVersion and is read as version 1), since the ledger's leaves
 * hash the metadata as stored and an import must give the same root.
 */
export const toNewEventFromLine = (line: LogLine): NewEvent => ({
  id: line.id,
  type: line.type,
  data: lineData(line),
  metadata: line.metadata,
});
