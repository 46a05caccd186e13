import { expect } from 'chai';
import { chatDecider } from '../../src/domain/chat/chat.js';
import type { ChatCommand } from '../../src/domain/chat/commands.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';
import { lookup } from './chat-lookup.js';
import { at, scenario } from './given-when-then.js';

const CHAT = '5eafd8eb-5be1-4671-9ff8-ba8fbb798af7';
const ALICE = 'alice-id';
const BOB = 'bob-id';
const MALLORY = 'mallory-id';

const chat = scenario(chatDecider);

const created: ChatEvent = { type: 'ChatCreated', data: { chatId: CHAT, members: [ALICE, BOB], createdBy: ALICE, at: at(0) } };

const sent = (messageId: string, senderId: string, seq: number, content = 'hello'): ChatEvent => ({
  type: 'MessageSent',
  data: { chatId: CHAT, messageId, senderId, content, seq, date: at(seq), clientTimestamp: `client-${seq}` },
});

const send = (senderId: string, content: string, overrides: Partial<Extract<ChatCommand, { kind: 'SendMessage' }>> = {}): ChatCommand => ({
  kind: 'SendMessage',
  chatId: CHAT,
  senderId,
  messageId: 'm-new',
  content,
  clientTimestamp: '2025-07-28T09:00:00Z',
  blocked: false,
  at: at(100),
  ...overrides,
});

const messageSent = (senderId: string, content: string, seq: number): ChatEvent => ({
  type: 'MessageSent',
  data: { chatId: CHAT, messageId: 'm-new', senderId, content, seq, date: at(100), clientTimestamp: '2025-07-28T09:00:00Z' },
});

const like = (userId: string, messageId: string, known: readonly ChatEvent[]): ChatCommand => ({
  kind: 'LikeMessage',
  chatId: CHAT,
  userId,
  messageId,
  message: lookup(known, messageId),
  at: at(200),
});
const unlike = (userId: string, messageId: string, known: readonly ChatEvent[]): ChatCommand => ({
  kind: 'UnlikeMessage',
  chatId: CHAT,
  userId,
  messageId,
  message: lookup(known, messageId),
  at: at(200),
});
const liked = (userId: string, messageId: string): ChatEvent => ({ type: 'MessageLiked', data: { chatId: CHAT, messageId, userId, at: at(200) } });
const unliked = (userId: string, messageId: string): ChatEvent => ({ type: 'MessageUnliked', data: { chatId: CHAT, messageId, userId, at: at(200) } });

const read = (readerId: string, messageId: string, known: readonly ChatEvent[]): ChatCommand => ({
  kind: 'ReadMessage',
  chatId: CHAT,
  readerId,
  messageId,
  message: lookup(known, messageId),
  at: at(300),
});
const messagesRead = (readerId: string, senderId: string, messageId: string, throughSeq: number): ChatEvent => ({
  type: 'MessagesRead',
  data: { chatId: CHAT, readerId, senderId, messageId, throughSeq, at: at(300) },
});

describe('chat decider', () => {
  describe('CreateChat', () => {
    const create = (initiatorId: string, peerId: string, blocked = false): ChatCommand => ({
      kind: 'CreateChat',
      chatId: CHAT,
      initiatorId,
      peerId,
      blocked,
      at: at(0),
    });

    it('creates the chat with both members', () => {
      chat.given([]).when(create(ALICE, BOB)).then([created]);
    });

    it('refuses a chat with oneself', () => {
      chat.given([]).when(create(ALICE, ALICE)).thenRefused('cannot_chat_with_self');
    });

    it('refuses when either side blocked the other', () => {
      chat
        .given([])
        .when(create(ALICE, BOB, true))
        .thenRefused('blocked');
    });

    it('does nothing when the chat already exists (opening it again)', () => {
      chat.given([created]).when(create(BOB, ALICE)).thenNothing();
    });
  });

  describe('SendMessage', () => {
    it('stores the message with the next sequence number', () => {
      chat
        .given([created])
        .when(send(ALICE, 'Hello!'))
        .then([messageSent(ALICE, 'Hello!', 1)]);
    });

    it('numbers messages in order across both senders', () => {
      chat
        .given([created, sent('m1', ALICE, 1), sent('m2', BOB, 2)])
        .when(send(ALICE, 'third'))
        .then([messageSent(ALICE, 'third', 3)]);
    });

    it('refuses a sender who is not a member (not_a_member)', () => {
      chat.given([created]).when(send(MALLORY, 'hi')).thenRefused('not_a_member');
    });

    it('refuses when the chat does not exist (not_a_member)', () => {
      chat.given([]).when(send(ALICE, 'hi')).thenRefused('not_a_member');
    });

    it('refuses when either side blocked the other', () => {
      chat
        .given([created])
        .when(send(ALICE, 'hi', { blocked: true }))
        .thenRefused('blocked');
    });

    it('stores the content trimmed', () => {
      chat
        .given([created])
        .when(send(BOB, '  \n\t hi there \t '))
        .then([messageSent(BOB, 'hi there', 1)]);
    });

    it('accepts 1 character', () => {
      chat
        .given([created])
        .when(send(ALICE, 'x'))
        .then([messageSent(ALICE, 'x', 1)]);
    });

    it('accepts 256 characters, surrounding whitespace not counted', () => {
      const content = 'a'.repeat(256);
      chat
        .given([created])
        .when(send(ALICE, `   ${content}   `))
        .then([messageSent(ALICE, content, 1)]);
    });

    it('refuses 257 characters', () => {
      chat
        .given([created])
        .when(send(ALICE, 'a'.repeat(257)))
        .thenRefused('invalid_content');
    });

    it('refuses empty content', () => {
      chat.given([created]).when(send(ALICE, '')).thenRefused('invalid_content');
    });

    it('refuses whitespace-only content', () => {
      chat.given([created]).when(send(ALICE, ' \n\t \u00a0 ')).thenRefused('invalid_content');
    });

    it('counts code points: 256 emoji (512 UTF-16 units) are accepted', () => {
      const content = '😀'.repeat(256);
      expect(content.length).to.equal(512);
      chat
        .given([created])
        .when(send(ALICE, content))
        .then([messageSent(ALICE, content, 1)]);
    });

    it('counts code points: 257 emoji are refused', () => {
      chat
        .given([created])
        .when(send(ALICE, '😀'.repeat(257)))
        .thenRefused('invalid_content');
    });

    it('replaying MessageSent advances the sequence for the next message', () => {
      chat
        .given([created])
        .when(send(ALICE, 'one'))
        .then([messageSent(ALICE, 'one', 1)])
        .when(send(BOB, 'two', { messageId: 'm-new' }))
        .then([messageSent(BOB, 'two', 2)]);
    });
  });

  describe('LikeMessage / UnlikeMessage', () => {
    const withMessage = [created, sent('m1', ALICE, 1)];

    it('lets the other member like a message', () => {
      chat
        .given(withMessage)
        .when(like(BOB, 'm1', withMessage))
        .then([liked(BOB, 'm1')]);
    });

    it("refuses liking one's own message", () => {
      chat
        .given(withMessage)
        .when(like(ALICE, 'm1', withMessage))
        .thenRefused('cannot_like_own_message');
    });

    it("refuses unliking one's own message", () => {
      chat
        .given(withMessage)
        .when(unlike(ALICE, 'm1', withMessage))
        .thenRefused('cannot_like_own_message');
    });

    it('refuses a non-member like (not_a_member)', () => {
      chat
        .given(withMessage)
        .when(like(MALLORY, 'm1', withMessage))
        .thenRefused('not_a_member');
    });

    it('refuses a non-member unlike (not_a_member)', () => {
      chat
        .given(withMessage)
        .when(unlike(MALLORY, 'm1', withMessage))
        .thenRefused('not_a_member');
    });

    it('refuses liking in a chat that does not exist (not_a_member)', () => {
      chat
        .given([])
        .when(like(BOB, 'm1', []))
        .thenRefused('not_a_member');
    });

    it('refuses an unknown message', () => {
      chat
        .given(withMessage)
        .when(like(BOB, 'nope', withMessage))
        .thenRefused('message_not_found');
      chat
        .given(withMessage)
        .when(unlike(BOB, 'nope', withMessage))
        .thenRefused('message_not_found');
    });

    it('liking a liked message is a no-op', () => {
      chat
        .given([...withMessage, liked(BOB, 'm1')])
        .when(like(BOB, 'm1', [...withMessage, liked(BOB, 'm1')]))
        .thenNothing();
    });

    it('unliking a liked message emits MessageUnliked', () => {
      chat
        .given([...withMessage, liked(BOB, 'm1')])
        .when(unlike(BOB, 'm1', [...withMessage, liked(BOB, 'm1')]))
        .then([unliked(BOB, 'm1')]);
    });

    it('unliking an unliked message is a no-op', () => {
      chat
        .given(withMessage)
        .when(unlike(BOB, 'm1', withMessage))
        .thenNothing();
      chat
        .given([...withMessage, liked(BOB, 'm1'), unliked(BOB, 'm1')])
        .when(unlike(BOB, 'm1', [...withMessage, liked(BOB, 'm1'), unliked(BOB, 'm1')]))
        .thenNothing();
    });

    it('likes are per message', () => {
      chat
        .given([...withMessage, sent('m2', ALICE, 2), liked(BOB, 'm1')])
        .when(like(BOB, 'm2', [...withMessage, sent('m2', ALICE, 2), liked(BOB, 'm1')]))
        .then([liked(BOB, 'm2')]);
    });

    it('replaying the emitted events gives the state later decisions rely on', () => {
      chat
        .given(withMessage)
        .when(like(BOB, 'm1', withMessage))
        .then([liked(BOB, 'm1')])
        .when(like(BOB, 'm1', withMessage))
        .thenNothing()
        .when(unlike(BOB, 'm1', withMessage))
        .then([unliked(BOB, 'm1')])
        .when(unlike(BOB, 'm1', withMessage))
        .thenNothing()
        .when(like(BOB, 'm1', withMessage))
        .then([liked(BOB, 'm1')]);
    });
  });

  describe('ReadMessage', () => {
    const conversation = [created, sent('m1', ALICE, 1), sent('m2', BOB, 2), sent('m3', ALICE, 3), sent('m4', ALICE, 4)];

    it('lets the recipient mark a message (and everything older from its sender) read', () => {
      chat
        .given(conversation)
        .when(read(BOB, 'm3', conversation))
        .then([messagesRead(BOB, ALICE, 'm3', 3)]);
    });

    it('refuses the sender marking their own message read', () => {
      chat
        .given(conversation)
        .when(read(ALICE, 'm3', conversation))
        .thenRefused('not_recipient');
    });

    it('refuses a non-member (not_a_member)', () => {
      chat
        .given(conversation)
        .when(read(MALLORY, 'm3', conversation))
        .thenRefused('not_a_member');
    });

    it('refuses in a chat that does not exist (not_a_member)', () => {
      chat
        .given([])
        .when(read(BOB, 'm3', conversation))
        .thenRefused('not_a_member');
    });

    it('refuses an unknown message', () => {
      chat
        .given(conversation)
        .when(read(BOB, 'nope', conversation))
        .thenRefused('message_not_found');
    });

    it('reading an older message after a newer one is a no-op (watermark)', () => {
      chat
        .given([...conversation, messagesRead(BOB, ALICE, 'm4', 4)])
        .when(read(BOB, 'm1', conversation))
        .thenNothing();
    });

    it('reading the same message twice is a no-op', () => {
      chat
        .given([...conversation, messagesRead(BOB, ALICE, 'm3', 3)])
        .when(read(BOB, 'm3', conversation))
        .thenNothing();
    });

    it('reading a newer message after an older one moves the watermark', () => {
      chat
        .given([...conversation, messagesRead(BOB, ALICE, 'm1', 1)])
        .when(read(BOB, 'm4', conversation))
        .then([messagesRead(BOB, ALICE, 'm4', 4)]);
    });

    it('keeps one watermark per reader', () => {
      chat
        .given([...conversation, messagesRead(BOB, ALICE, 'm4', 4)])
        .when(read(ALICE, 'm2', conversation))
        .then([messagesRead(ALICE, BOB, 'm2', 2)]);
    });

    it('replaying the emitted events gives the state later decisions rely on', () => {
      chat
        .given(conversation)
        .when(read(BOB, 'm3', conversation))
        .then([messagesRead(BOB, ALICE, 'm3', 3)])
        .when(read(BOB, 'm1', conversation))
        .thenNothing()
        .when(read(BOB, 'm3', conversation))
        .thenNothing()
        .when(read(BOB, 'm4', conversation))
        .then([messagesRead(BOB, ALICE, 'm4', 4)]);
    });
  });

  describe('AnnounceRoom', () => {
    const announce = (userId: string, blocked = false): ChatCommand => ({ kind: 'AnnounceRoom', chatId: CHAT, userId, blocked, at: at(5) });

    it('lets a member announce the room', () => {
      chat
        .given([created])
        .when(announce(BOB))
        .then([{ type: 'RoomAnnounced', data: { chatId: CHAT, by: BOB, at: at(5) } }]);
    });

    it('refuses a non-member (not_a_member)', () => {
      chat.given([created]).when(announce(MALLORY)).thenRefused('not_a_member');
    });

    it('refuses in a chat that does not exist (not_a_member)', () => {
      chat.given([]).when(announce(ALICE)).thenRefused('not_a_member');
    });

    it('refuses when either member blocked the other (blocked); a non-member still gets not_a_member', () => {
      chat.given([created]).when(announce(ALICE, true)).thenRefused('blocked');
      chat.given([created]).when(announce(MALLORY, true)).thenRefused('not_a_member');
    });
  });

  it('replaying ChatCreated makes a second CreateChat a no-op and lets members send', () => {
    const create: ChatCommand = { kind: 'CreateChat', chatId: CHAT, initiatorId: ALICE, peerId: BOB, blocked: false, at: at(0) };
    const afterCreate = chat.given([]).when(create).then([created]);
    afterCreate.when(create).thenNothing();
    afterCreate.when(send(BOB, 'hi')).then([messageSent(BOB, 'hi', 1)]);
    afterCreate.when(send(MALLORY, 'hi')).thenRefused('not_a_member');
  });
});
