import * as t from 'io-ts';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';
import { str } from '../shared/json.js';

const members = t.readonly(t.tuple([t.string, t.string]));

/** v1 named the two members `userA`/`userB`; v2 keeps them as a pair and records who opened the chat. */
export const ChatCreated = defineEvent('ChatCreated', t.readonly(t.type({ chatId: t.string, members, createdBy: t.string, at: t.string })), {
  version: 2,
  upcasters: { 1: (d) => ({ chatId: str(d, 'chatId'), members: [str(d, 'userA'), str(d, 'userB')], createdBy: str(d, 'userA'), at: str(d, 'at') }) },
});

export const MessageSent = defineEvent(
  'MessageSent',
  t.readonly(
    t.intersection([
      t.type({
        chatId: t.string,
        messageId: t.string,
        senderId: t.string,
        content: t.string,
        /** 1-based order of the message in its chat: read receipts are a watermark over it. */
        seq: t.number,
        date: t.string,
        /** The sender's own timestamp, echoed back to clients. */
        clientTimestamp: t.string,
      }),
      /** The sender's own id for the message (`client_msg_id`), when it gave one. */
      t.partial({ clientMsgId: t.string }),
    ]),
  ),
  {
    /** v1 did not echo the sender's own timestamp; the server time is the best stand-in. */
    version: 2,
    upcasters: { 1: (d) => ({ ...d, clientTimestamp: str(d, 'date') }) },
    personal: { content: { owner: 'senderId' } },
  },
);

const liking = t.readonly(t.type({ chatId: t.string, messageId: t.string, userId: t.string, at: t.string }));
export const MessageLiked = defineEvent('MessageLiked', liking);
export const MessageUnliked = defineEvent('MessageUnliked', liking);

/** `readerId` has read the messages of `senderId` up to `throughSeq`. */
export const MessagesRead = defineEvent(
  'MessagesRead',
  t.readonly(t.type({ chatId: t.string, readerId: t.string, senderId: t.string, messageId: t.string, throughSeq: t.number, at: t.string })),
);

export const RoomAnnounced = defineEvent('RoomAnnounced', t.readonly(t.type({ chatId: t.string, by: t.string, at: t.string })));

export const chatEvents = EventSet.of(ChatCreated).and(MessageSent).and(MessageLiked).and(MessageUnliked).and(MessagesRead).and(RoomAnnounced);
export type ChatEvent = EventOf<(typeof chatEvents.specs)[number]>;
export type ChatEventType = ChatEvent['type'];
