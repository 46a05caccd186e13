import type { ChatEvent } from '../../domain/chat/events.js';
import { fromRecorded } from '../events/event-serde.js';
import type { Position, RecordedEvent } from '../ports/event-store.js';
import type { ChatMessageView } from '../ports/read-model.js';
import { comparePositions, formatPosition } from '../ports/position.js';

/** One line of a chat's audit trail. */
export interface HistoryEntry {
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  /** The user whose command caused the event (absent for system commands). */
  readonly actor: string | null;
  readonly time: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const historyEntry = (recorded: RecordedEvent, usernameOf: (userId: string) => string): HistoryEntry => ({
  revision: recorded.revision,
  position: formatPosition(recorded.position),
  type: recorded.type,
  actor: recorded.metadata.userId === undefined ? null : usernameOf(recorded.metadata.userId),
  time: recorded.metadata.timestamp,
  data: recorded.data,
});

/** A message as the REST API shows it. */
export type MessageAt = ChatMessageView;

export interface ChatAt {
  readonly chat_id: string;
  readonly at: string;
  readonly position: string | null;
  readonly members: readonly string[];
  /** Oldest first: the conversation as it read at that point. */
  readonly messages: readonly MessageAt[];
}

/** A point in the log: an ISO time or a position. Events at or before it are included. */
export type PointInTime = { readonly kind: 'time'; readonly time: string } | { readonly kind: 'position'; readonly position: Position };

const includes = (point: PointInTime, e: RecordedEvent): boolean =>
  point.kind === 'position' ? comparePositions(e.position, point.position) <= 0 : Date.parse(e.metadata.timestamp) <= Date.parse(point.time);

/** Folds a chat's stream up to `point`: the same events that built the live read model, cut at a moment. */
export const chatAt = (chatId: string, stream: readonly RecordedEvent[], point: PointInTime, usernameOf: (userId: string) => string): ChatAt => {
  let members: readonly string[] = [];
  const messages = new Map<string, { id: string; content: string; date: string; senderId: string; seq: number; liked: boolean }>();
  const readThrough = new Map<string, number>();
  let last: RecordedEvent | undefined;
  for (const recorded of stream) {
    if (!includes(point, recorded)) break;
    last = recorded;
    const e = fromRecorded(recorded) as ChatEvent | undefined;
    if (e === undefined) continue;
    switch (e.type) {
      case 'ChatCreated':
        members = e.data.members;
        break;
      case 'MessageSent':
        messages.set(e.data.messageId, {
          id: e.data.messageId,
          content: e.data.content,
          date: e.data.date,
          senderId: e.data.senderId,
          seq: e.data.seq,
          liked: false,
        });
        break;
      case 'MessageLiked':
      case 'MessageUnliked': {
        const m = messages.get(e.data.messageId);
        if (m !== undefined) m.liked = e.type === 'MessageLiked';
        break;
      }
      case 'MessagesRead':
        readThrough.set(e.data.readerId, Math.max(readThrough.get(e.data.readerId) ?? 0, e.data.throughSeq));
        break;
      case 'RoomAnnounced':
        break;
    }
  }
  const recipientOf = (senderId: string) => members.find((m) => m !== senderId) ?? '';
  return {
    chat_id: chatId,
    at: point.kind === 'time' ? point.time : formatPosition(point.position),
    position: last === undefined ? null : formatPosition(last.position),
    members: members.map(usernameOf),
    messages: [...messages.values()].map((m) => ({
      id: m.id,
      content: m.content,
      date: m.date,
      sender: usernameOf(m.senderId),
      is_read: m.seq <= (readThrough.get(recipientOf(m.senderId)) ?? 0),
      is_liked: m.liked,
    })),
  };
};
