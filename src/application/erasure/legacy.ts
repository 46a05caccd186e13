import { domainEvents } from '../../domain/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { lineData, type LogLine } from '../transfer/log-line.js';
import { usernameStream } from '../../domain/user/username-claim.js';
import type { PersonalData } from './personal-data.js';
import type { UsernameIndex } from './username-index.js';

/** `username-<name>` as streams were named before erasure existed; a hashed one has 64 hex digits, which no username has (50 at most). */
const USERNAME_STREAM = /^username-(.+)$/;
const HASHED = /^[0-9a-f]{64}$/;

/** An event as it comes from the log or an export: where it is, what it is, its data as stored. */
export interface LegacyEvent {
  readonly stream: string;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
}

/**
 * An event written before personal data was sealed, as it is stored now: its personal fields
 * sealed under their owners' keys (with its own id as associated data), a username stream named by
 * the name's keyed hash. An event already so comes back unchanged (`changed` false): running this
 * twice, or over a log migrated halfway, is harmless.
 */
export const sealLegacyEvent = async (
  personal: PersonalData,
  usernames: Pick<UsernameIndex, 'hash'>,
  event: LegacyEvent,
): Promise<{ readonly stream: string; readonly data: JsonObject; readonly changed: boolean }> => {
  const name = USERNAME_STREAM.exec(event.stream)?.[1];
  const stream = name === undefined || HASHED.test(name) ? event.stream : usernameStream(usernames.hash(name));
  const fields = domainEvents.spec(event.type)?.personal ?? [];
  const sealed = await personal.sealInClear(fields, event.data, event.id);
  return { stream, data: sealed.data, changed: sealed.changed || stream !== event.stream };
};

/** `sealLegacyEvent` for a line of an export being imported: the line itself when it needed nothing. */
export const sealLegacyLine =
  (personal: PersonalData, usernames: Pick<UsernameIndex, 'hash'>) =>
  async (line: LogLine): Promise<LogLine> => {
    const sealed = await sealLegacyEvent(personal, usernames, { stream: line.stream, id: line.id, type: line.type, data: lineData(line) });
    return sealed.changed ? { ...line, stream: sealed.stream, data: sealed.data } : line;
  };
