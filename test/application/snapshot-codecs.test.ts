import { expect } from 'chai';
import { chatSnapshot } from '../../src/application/aggregates/chat-snapshot.js';
import { presenceSnapshot } from '../../src/application/aggregates/presence-snapshot.js';
import { engagementSnapshot } from '../../src/application/aggregates/engagement-snapshot.js';
import { chatDecider } from '../../src/domain/chat/chat.js';
import { engagementDecider } from '../../src/domain/engagement/engagement.js';
import type { EngagementEvent } from '../../src/domain/engagement/events.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';
import { presenceDecider } from '../../src/domain/presence/presence.js';
import type { PresenceEvent } from '../../src/domain/presence/events.js';
import { fold } from '../../src/domain/shared/decider.js';

const CHAT = '33333333-3333-4333-8333-333333333333';
const at = '2026-01-01T00:00:00.000Z';
const throughJson = (json: unknown): unknown => JSON.parse(JSON.stringify(json));

describe('snapshot codecs', () => {
  it('chat: a state survives encode → JSON → decode, windows in order, and decides the same', () => {
    const events: ChatEvent[] = [
      { type: 'ChatCreated', data: { chatId: CHAT, members: ['a', 'b'], createdBy: 'a', at } },
      ...Array.from({ length: 1500 }, (_, i): ChatEvent => ({
        type: 'MessageSent',
        data: {
          chatId: CHAT,
          messageId: `m${i + 1}`,
          senderId: i % 2 === 0 ? 'a' : 'b',
          content: 'x',
          seq: i + 1,
          date: at,
          clientTimestamp: at,
          clientMsgId: `c${i}`,
        },
      })),
      { type: 'MessageLiked', data: { chatId: CHAT, messageId: 'm1', userId: 'b', at } },
      { type: 'MessageUnliked', data: { chatId: CHAT, messageId: 'm3', userId: 'b', at } },
      { type: 'MessagesRead', data: { chatId: CHAT, readerId: 'b', senderId: 'a', messageId: 'm5', throughSeq: 5, at } },
    ];
    const state = fold(chatDecider.evolve, chatDecider.initialState, events);
    const decoded = chatSnapshot.decode(throughJson(chatSnapshot.encode(state)));
    if (decoded === undefined || !decoded.exists || !state.exists) return expect.fail('decodes to a chat');
    expect(chatSnapshot.encode(decoded)).to.deep.equal(chatSnapshot.encode(state));
    expect([...decoded.clientMsgIds.keys()]).to.deep.equal([...state.clientMsgIds.keys()]);
    // The window forgets the same oldest entry next.
    const next: ChatEvent = {
      type: 'MessageSent',
      data: { chatId: CHAT, messageId: 'm-next', senderId: 'a', content: 'x', seq: 1501, date: at, clientTimestamp: at, clientMsgId: 'c-next' },
    };
    expect(chatSnapshot.encode(chatDecider.evolve(decoded, next))).to.deep.equal(chatSnapshot.encode(chatDecider.evolve(state, next)));
    expect(chatSnapshot.decode(throughJson(chatSnapshot.encode(chatDecider.initialState)))).to.deep.equal({ exists: false });
  });

  it('presence: a state survives encode → JSON → decode', () => {
    const events: PresenceEvent[] = [
      { type: 'ConnectionOpened', data: { userId: 'u', connectionId: 'c1', nodeId: 'n1', at } },
      { type: 'UserWentOnline', data: { userId: 'u', at } },
      { type: 'ConnectionOpened', data: { userId: 'u', connectionId: 'c2', nodeId: 'n2', at } },
    ];
    const state = fold(presenceDecider.evolve, presenceDecider.initialState, events);
    const decoded = presenceSnapshot.decode(throughJson(presenceSnapshot.encode(state)));
    expect(decoded === undefined ? undefined : presenceSnapshot.encode(decoded)).to.deep.equal(presenceSnapshot.encode(state));
    expect(decoded?.connections.get('c2')).to.equal('n2');
    expect(presenceSnapshot.decode(throughJson(presenceSnapshot.encode(presenceDecider.initialState)))).to.deep.include({
      online: false,
      lastActivity: undefined,
    });
  });

  it('engagement: a state survives encode → JSON → decode, and evolves the same after it', () => {
    const reserved = (i: number, role: 'inviter' | 'invitee'): EngagementEvent => ({
      type: 'EngagementReserved',
      data: { userId: 'u', inviteId: `i${i}`, role, at: new Date(Date.parse(at) + i * 1000).toISOString(), holdUntil: at },
    });
    const events = Array.from({ length: 80 }, (_, i) => reserved(i, i % 3 === 0 ? 'invitee' : 'inviter'));
    const state = fold(engagementDecider.evolve, engagementDecider.initialState, events);
    expect(state.recentInvites.size, 'the window is full').to.be.greaterThan(10);
    const decoded = engagementSnapshot.decode(throughJson(engagementSnapshot.encode(state)));
    if (decoded === undefined) return expect.fail('decodes');
    expect(engagementSnapshot.encode(decoded)).to.deep.equal(engagementSnapshot.encode(state));
    expect(decoded.pointer).to.deep.equal(state.pointer);
    const next = reserved(99, 'inviter');
    expect(engagementSnapshot.encode(engagementDecider.evolve(decoded, next))).to.deep.equal(engagementSnapshot.encode(engagementDecider.evolve(state, next)));
    expect(engagementSnapshot.decode(throughJson(engagementSnapshot.encode(engagementDecider.initialState)))).to.deep.equal(engagementDecider.initialState);
    for (const garbage of [null, {}, { pointer: null }, { pointer: { inviteId: 'x', role: 'judge', at, holdUntil: at }, recentInvites: [] }]) {
      expect(engagementSnapshot.decode(garbage), JSON.stringify(garbage)).to.equal(undefined);
    }
  });

  it('decode answers undefined for anything else', () => {
    for (const garbage of [null, 'x', 42, [], { exists: true }, { exists: 'yes' }, { exists: true, chatId: CHAT, members: ['a'], messageCount: 1 }]) {
      expect(chatSnapshot.decode(garbage), JSON.stringify(garbage)).to.equal(undefined);
    }
    for (const garbage of [null, {}, { online: true, connections: [['c']], lastActivity: null }]) {
      expect(presenceSnapshot.decode(garbage), JSON.stringify(garbage)).to.equal(undefined);
    }
  });
});
