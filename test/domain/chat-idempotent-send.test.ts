import { chatDecider } from '../../src/domain/chat/chat.js';
import type { ChatCommand } from '../../src/domain/chat/commands.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';
import { CLIENT_MSG_ID_WINDOW } from '../../src/domain/chat/state.js';
import { at, scenario } from './given-when-then.js';

const CHAT = '5eafd8eb-5be1-4671-9ff8-ba8fbb798af7';
const ALICE = 'alice-id';
const BOB = 'bob-id';
const chat = scenario(chatDecider);
const created: ChatEvent = { type: 'ChatCreated', data: { chatId: CHAT, members: [ALICE, BOB], createdBy: ALICE, at: at(0) } };

const sent = (seq: number, senderId: string, clientMsgId?: string): ChatEvent => ({
  type: 'MessageSent',
  data: {
    chatId: CHAT,
    messageId: `m-${seq}`,
    senderId,
    content: 'hi',
    seq,
    date: at(seq),
    clientTimestamp: 'ts',
    ...(clientMsgId === undefined ? {} : { clientMsgId }),
  },
});
const send = (senderId: string, clientMsgId: string | undefined, overrides: Partial<Extract<ChatCommand, { kind: 'SendMessage' }>> = {}): ChatCommand => ({
  kind: 'SendMessage',
  chatId: CHAT,
  senderId,
  messageId: 'm-new',
  content: 'hi',
  clientTimestamp: 'ts',
  ...(clientMsgId === undefined ? {} : { clientMsgId }),
  blocked: false,
  at: at(100),
  ...overrides,
});
const storedNew = (seq: number, senderId: string, clientMsgId: string): ChatEvent => ({
  type: 'MessageSent',
  data: { chatId: CHAT, messageId: 'm-new', senderId, content: 'hi', seq, date: at(100), clientTimestamp: 'ts', clientMsgId },
});

describe('Chat: idempotent sends (client_msg_id)', () => {
  it('a repeat of a sender’s client_msg_id stores nothing, even once a block came between', () => {
    chat
      .given([created, sent(1, ALICE, 'c-1')])
      .when(send(ALICE, 'c-1'))
      .thenNothing();
    chat
      .given([created, sent(1, ALICE, 'c-1')])
      .when(send(ALICE, 'c-1', { blocked: true }))
      .thenNothing();
  });

  it('the same client_msg_id from the other member, or a new one, is a new message', () => {
    chat
      .given([created, sent(1, ALICE, 'c-1')])
      .when(send(BOB, 'c-1'))
      .then([storedNew(2, BOB, 'c-1')]);
    chat
      .given([created, sent(1, ALICE, 'c-1')])
      .when(send(ALICE, 'c-2'))
      .then([storedNew(2, ALICE, 'c-2')]);
  });

  it('the first send stores the id with the message; the next one of the same id is then a no-op', () => {
    chat
      .given([created])
      .when(send(ALICE, 'c-9'))
      .then([storedNew(1, ALICE, 'c-9')])
      .when(send(ALICE, 'c-9'))
      .thenNothing();
  });

  it(`remembers the last ${CLIENT_MSG_ID_WINDOW} client ids of a chat: older ones are forgotten`, () => {
    const history = [created, ...Array.from({ length: CLIENT_MSG_ID_WINDOW + 1 }, (_, i) => sent(i + 1, ALICE, `c-${i + 1}`))];
    chat
      .given(history)
      .when(send(ALICE, `c-${CLIENT_MSG_ID_WINDOW + 1}`))
      .thenNothing();
    chat.given(history).when(send(ALICE, 'c-2')).thenNothing();
    chat
      .given(history)
      .when(send(ALICE, 'c-1'))
      .then([storedNew(CLIENT_MSG_ID_WINDOW + 2, ALICE, 'c-1')]);
  });

  it('a send without client_msg_id is never deduplicated', () => {
    const plain: ChatEvent = {
      type: 'MessageSent',
      data: { chatId: CHAT, messageId: 'm-new', senderId: ALICE, content: 'hi', seq: 2, date: at(100), clientTimestamp: 'ts' },
    };
    chat
      .given([created, sent(1, ALICE)])
      .when(send(ALICE, undefined))
      .then([plain]);
  });
});
