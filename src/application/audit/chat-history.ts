import type { ChatEvent } from '../../domain/chat/events.js';
import type { StreamEvent } from '../log/stream-reader.js';
import type { Position, RecordedEvent } from '../ports/event-store.js';
import { comparePositions, formatPosition } from '../ports/position.js';
import type { ChatMessageView, ReadModelStore } from '../ports/read-model.js';
import { projectBatch } from '../read-models/projection.js';

/** One line of a chat's audit trail. */
export interface HistoryEntry {
  /** The event's id: what `GET /api/ledger/proof?id=` proves. */
  readonly id: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  /** The user whose command caused the event (absent for system commands). */
  readonly actor: string | null;
  readonly time: string;
  /** The event's data as stored, its personal fields opened (or, once erased, empty or the owner's alias). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Present (true) when a personal field of the event was erased. */
  readonly erased?: true;
}

export const historyEntry = ({ recorded, opened, erased }: StreamEvent<ChatEvent>, usernameOf: (userId: string) => string): HistoryEntry => ({
  id: recorded.id,
  revision: recorded.revision,
  position: formatPosition(recorded.position),
  type: recorded.type,
  actor: recorded.metadata.userId === undefined ? null : usernameOf(recorded.metadata.userId),
  time: recorded.metadata.timestamp,
  data: opened,
  ...(erased ? { erased: true } : {}),
});

export interface ChatAt {
  readonly chat_id: string;
  readonly at: string;
  readonly position: string | null;
  readonly members: readonly string[];
  /** Oldest first: the conversation as it read at that point. */
  readonly messages: readonly ChatMessageView[];
}

/** A point in the log: an ISO time or a position. Events at or before it are included. */
export type PointInTime = { readonly kind: 'time'; readonly time: string } | { readonly kind: 'position'; readonly position: Position };

const includes = (point: PointInTime, e: RecordedEvent): boolean =>
  point.kind === 'position' ? comparePositions(e.position, point.position) <= 0 : Date.parse(e.metadata.timestamp) <= Date.parse(point.time);

const SCRATCH = 'history';

/**
 * The chat as it was at `point`: its stream's events up to there, projected by the read models'
 * own projection into `scratch` (an empty store of the caller's), so a message's read and like
 * flags then are what the read models showed then. Members are shown by `usernameOf`.
 */
export const chatAt = async (
  chatId: string,
  stream: readonly StreamEvent<ChatEvent>[],
  point: PointInTime,
  members: readonly { readonly userId: string; readonly username: string; readonly erased?: true }[],
  scratch: ReadModelStore,
): Promise<ChatAt> => {
  const upTo = stream.filter((s) => includes(point, s.recorded));
  const stored = upTo.flatMap(({ event, recorded, opened, erased }) => (event === undefined ? [] : [{ event, recorded, opened, erased }]));
  const at = point.kind === 'time' ? point.time : formatPosition(point.position);
  const last = upTo[upTo.length - 1]?.recorded;
  if (last === undefined) return { chat_id: chatId, at, position: null, members: [], messages: [] };
  // The members as users, with the first event (the store applies each position once, in order), so messages show their senders' usernames.
  const users = members.map((m) => ({
    kind: 'UpsertUser' as const,
    userId: m.userId,
    username: m.username,
    nickname: m.username,
    avatar: '',
    at: last.metadata.timestamp,
    ...(m.erased === true ? { erased: true as const } : {}),
  }));
  const [first, ...rest] = projectBatch(stored);
  await scratch.apply(SCRATCH, first === undefined ? [] : [{ position: first.position, changes: [...users, ...first.changes] }, ...rest]);
  const chat = await scratch.chat(chatId);
  const page = await scratch.messages(chatId, { limit: Math.max(1, stored.length), offset: 0 });
  const usernameOf = (id: string) => members.find((m) => m.userId === id)?.username ?? id;
  return {
    chat_id: chatId,
    at,
    position: formatPosition(last.position),
    members: (chat?.members ?? []).map(usernameOf),
    messages: [...page.items].reverse(),
  };
};
