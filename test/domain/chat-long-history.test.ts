import { expect } from 'chai';
import { chatDecider } from '../../src/domain/chat/chat.js';
import type { ChatCommand, MessageFacts } from '../../src/domain/chat/commands.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';
import { CLIENT_MSG_ID_WINDOW, LIKE_WINDOW } from '../../src/domain/chat/state.js';
import { lookup } from './chat-lookup.js';
import { at, scenario } from './given-when-then.js';

/**
 * Every chat rule on a message far older than the state's windows: the state keeps no
 * per-message data, so the facts come on the command (as the handler looks them up).
 */
const CHAT = '0c6b7a8e-5a8a-4c39-9d0b-3f2a8f3b1c11';
const OTHER_CHAT = '7d0a3c1e-2b4f-4e8a-9c6d-5e1f2a3b4c5d';
const ALICE = 'alice-id';
const BOB = 'bob-id';
const MALLORY = 'mallory-id';

const chat = scenario(chatDecider);

const created: ChatEvent = { type: 'ChatCreated', data: { chatId: CHAT, members: [ALICE, BOB], createdBy: ALICE, at: at(0) } };
const sent = (seq: number, senderId: string): ChatEvent => ({
  type: 'MessageSent',
  data: { chatId: CHAT, messageId: `m${seq}`, senderId, content: `hello ${seq}`, seq, date: at(seq), clientTimestamp: at(seq), clientMsgId: `c${seq}` },
});
const toggled = (messageId: string, userId: string, like: boolean): ChatEvent =>
  like
    ? { type: 'MessageLiked', data: { chatId: CHAT, messageId, userId, at: at(1) } }
    : { type: 'MessageUnliked', data: { chatId: CHAT, messageId, userId, at: at(1) } };
const readUpTo = (readerId: string, senderId: string, seq: number): ChatEvent => ({
  type: 'MessagesRead',
  data: { chatId: CHAT, readerId, senderId, messageId: `m${seq}`, throughSeq: seq, at: at(2) },
});

/** Message #1 (Alice's), liked by Bob first of all; then more messages and toggles than either window holds. */
const MESSAGES = 3 * Math.max(LIKE_WINDOW, CLIENT_MSG_ID_WINDOW);
const history: readonly ChatEvent[] = [
  created,
  sent(1, ALICE),
  sent(2, BOB),
  toggled('m1', BOB, true),
  ...Array.from({ length: MESSAGES - 2 }, (_, i) => sent(i + 3, i % 2 === 0 ? ALICE : BOB)),
  // Bob likes and unlikes Alice's later messages: 2 × LIKE_WINDOW toggles after the one on m1.
  ...Array.from({ length: LIKE_WINDOW }, (_, i) => [toggled(`m${2 * i + 3}`, BOB, true), toggled(`m${2 * i + 3}`, BOB, false)]).flat(),
];

const command = (kind: 'LikeMessage' | 'UnlikeMessage', userId: string, messageId: string, message: MessageFacts | undefined = lookup(history, messageId)) =>
  ({ kind, chatId: CHAT, userId, messageId, message, at: at(9) }) satisfies ChatCommand;
const read = (readerId: string, messageId: string, message: MessageFacts | undefined = lookup(history, messageId)): ChatCommand => ({
  kind: 'ReadMessage',
  chatId: CHAT,
  readerId,
  messageId,
  message,
  at: at(9),
});
const data = { chatId: CHAT, messageId: 'm1', userId: BOB, at: at(9) };

describe('chat decider on a long history (message #1 is older than every window)', () => {
  const long = chat.given(history);

  it('keeps the state bounded: no per-message data, windows at their bounds', () => {
    const state = long.state();
    if (!state.exists) return expect.fail('the chat exists');
    expect(Object.keys(state).sort()).to.deep.equal(['chatId', 'clientMsgIds', 'exists', 'members', 'messageCount', 'readThrough', 'recentLikes']);
    expect(state.messageCount).to.equal(MESSAGES);
    expect(state.recentLikes.size).to.be.at.most(LIKE_WINDOW);
    expect(state.clientMsgIds.size).to.equal(CLIENT_MSG_ID_WINDOW);
    expect(state.recentLikes.has('m1'), "m1's toggle left the window").to.equal(false);
  });

  it('liking a liked old message is a no-op; unliking it emits MessageUnliked', () => {
    expect(lookup(history, 'm1')?.liked).to.equal(true);
    long.when(command('LikeMessage', BOB, 'm1')).thenNothing();
    long.when(command('UnlikeMessage', BOB, 'm1')).then([{ type: 'MessageUnliked', data }]);
  });

  it('liking an unliked old message emits MessageLiked; unliking it is a no-op', () => {
    const given = chat.given([...history, toggled('m1', BOB, false), ...history.slice(-2 * LIKE_WINDOW)]);
    const known = given.events;
    expect(lookup(known, 'm1')?.liked).to.equal(false);
    given.when(command('LikeMessage', BOB, 'm1', lookup(known, 'm1'))).then([{ type: 'MessageLiked', data }]);
    given.when(command('UnlikeMessage', BOB, 'm1', lookup(known, 'm1'))).thenNothing();
  });

  it('a toggle stored after the lookup wins over it (it is in the window)', () => {
    const stale = lookup(history, 'm1'); // liked, as the read models said before Bob's unlike
    const after = long.when(command('UnlikeMessage', BOB, 'm1')).then([{ type: 'MessageUnliked', data }]);
    after.when(command('UnlikeMessage', BOB, 'm1', stale)).thenNothing();
    after.when(command('LikeMessage', BOB, 'm1', stale)).then([{ type: 'MessageLiked', data }]);
  });

  it("refuses liking or unliking one's own old message", () => {
    long.when(command('LikeMessage', ALICE, 'm1')).thenRefused('cannot_like_own_message');
    long.when(command('UnlikeMessage', ALICE, 'm1')).thenRefused('cannot_like_own_message');
  });

  it('refuses a non-member on an old message', () => {
    long.when(command('LikeMessage', MALLORY, 'm1')).thenRefused('not_a_member');
    long.when(read(MALLORY, 'm1')).thenRefused('not_a_member');
  });

  it('refuses a message that is not found, or is of another chat, or that the state has not seen', () => {
    long.when(command('LikeMessage', BOB, 'nope')).thenRefused('message_not_found');
    long.when(read(BOB, 'nope')).thenRefused('message_not_found');
    const elsewhere: MessageFacts = { chatId: OTHER_CHAT, senderId: ALICE, seq: 1, liked: false };
    long.when(command('LikeMessage', BOB, 'm1', elsewhere)).thenRefused('message_not_found');
    long.when(read(BOB, 'm1', elsewhere)).thenRefused('message_not_found');
    const ahead: MessageFacts = { chatId: CHAT, senderId: ALICE, seq: MESSAGES + 1, liked: false };
    long.when(command('LikeMessage', BOB, 'm-future', ahead)).thenRefused('message_not_found');
  });

  it('reading an old message marks it and everything older from its sender read', () => {
    long
      .when(read(BOB, 'm1'))
      .then([{ type: 'MessagesRead', data: { chatId: CHAT, readerId: BOB, senderId: ALICE, messageId: 'm1', throughSeq: 1, at: at(9) } }]);
    long
      .when(read(ALICE, 'm2'))
      .then([{ type: 'MessagesRead', data: { chatId: CHAT, readerId: ALICE, senderId: BOB, messageId: 'm2', throughSeq: 2, at: at(9) } }]);
  });

  it('reading an old message at or below the read-through is a no-op; its own sender is refused', () => {
    const readLate = chat.given([...history, readUpTo(BOB, ALICE, MESSAGES - 1)]);
    readLate.when(read(BOB, 'm1')).thenNothing();
    readLate.when(read(BOB, `m${MESSAGES - 1}`)).thenNothing();
    readLate.when(read(ALICE, 'm1')).thenRefused('not_recipient');
    // Alice's read-through is her own: still nothing read of Bob's.
    readLate
      .when(read(ALICE, 'm2'))
      .then([{ type: 'MessagesRead', data: { chatId: CHAT, readerId: ALICE, senderId: BOB, messageId: 'm2', throughSeq: 2, at: at(9) } }]);
  });

  it('a client_msg_id within the window is a repeat; one beyond it is a new message', () => {
    const resend = (clientMsgId: string): ChatCommand => ({
      kind: 'SendMessage',
      chatId: CHAT,
      senderId: BOB,
      messageId: 'm-new',
      content: 'again',
      clientTimestamp: at(9),
      clientMsgId,
      blocked: false,
      at: at(9),
    });
    long.when(resend(`c${MESSAGES}`)).thenNothing();
    const decision = long.when(resend('c2')).decision();
    expect(Array.isArray(decision) && decision.map((e) => e.type)).to.deep.equal(['MessageSent']);
  });
});
