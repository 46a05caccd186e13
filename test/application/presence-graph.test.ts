import { expect } from 'chai';
import { NO_BLOCKS, type ProfileView } from '../../src/application/broadcast/delivery.js';
import { withFramePositions } from '../../src/application/broadcast/frame-position.js';
import { deliveriesOf } from '../../src/application/features.js';
import { PresenceGraph, type PresenceScopeName } from '../../src/application/presence/presence-graph.js';
import type { AnyDomainEvent } from '../../src/domain/events.js';

const AT = '2025-07-28T09:00:00.000Z';
const profile = (userId: string): ProfileView => ({ userId, username: `${userId}-name`, nickname: userId, avatar: '' });
let commit = 0n;
const next = () => ({ commit: ++commit, prepare: commit });

const given = (scope: PresenceScopeName, events: readonly AnyDomainEvent[]): PresenceGraph => {
  const g = new PresenceGraph(scope);
  for (const e of events) g.apply(next(), e, profile);
  return g;
};

const chat = (a: string, b: string): AnyDomainEvent => ({ type: 'ChatCreated', data: { chatId: `${a}-${b}`, members: [a, b], createdBy: a, at: AT } });
const friend = (a: string, b: string): AnyDomainEvent => ({ type: 'FriendAdded', data: { userId: a, friendId: b, at: AT } });
const block = (a: string, b: string): AnyDomainEvent => ({ type: 'UserBlocked', data: { userId: a, blockedId: b, at: AT } });
const unblock = (a: string, b: string): AnyDomainEvent => ({ type: 'UserUnblocked', data: { userId: a, blockedId: b, at: AT } });
const online = (u: string): AnyDomainEvent => ({ type: 'UserWentOnline', data: { userId: u, at: AT } });
const offline = (u: string): AnyDomainEvent => ({ type: 'UserWentOffline', data: { userId: u, reason: 'disconnected', at: AT } });

describe('PresenceGraph: who sees whose presence, from events (pure)', () => {
  it('scope all: everyone online, through online_users, blocks or not', () => {
    const g = given('all', [chat('alice', 'bob'), block('alice', 'bob')]);
    expect(g.audienceOf('alice')).to.deep.equal(['online_users']);
    const frames = deliveriesOf(online('alice'), { position: '7', profile: profile, presenceAudience: g.audienceOf, blocked: NO_BLOCKS, erased: false });
    expect(frames).to.deep.equal([{ kind: 'send', group: 'online_users', frame: { action: 'user_online', data: { username: 'alice-name' }, position: '7' } }]);
  });

  it('scope contacts: chat peers and friends (either direction) get it in their own groups; strangers and blocked contacts do not, whoever blocked', () => {
    const g = given('contacts', [chat('alice', 'bob'), friend('carol', 'alice'), chat('alice', 'eve'), block('eve', 'alice'), chat('dan', 'bob')]);
    expect([...g.audienceOf('alice')].sort()).to.deep.equal(['user_bob', 'user_carol']);
    expect(g.audienceOf('eve')).to.deep.equal([]);
    expect(g.audienceOf('zed')).to.deep.equal([]);
    g.apply(next(), unblock('eve', 'alice'), profile);
    expect([...g.audienceOf('alice')].sort()).to.deep.equal(['user_bob', 'user_carol', 'user_eve']);
  });

  it('one presence frame to several contacts keeps one bare position', () => {
    const g = given('contacts', [chat('alice', 'bob'), chat('alice', 'carol')]);
    const at = { commit: 9n, prepare: 9n };
    const out = withFramePositions(
      deliveriesOf(online('alice'), { position: '9', profile: profile, presenceAudience: g.audienceOf, blocked: NO_BLOCKS, erased: false }),
      at,
    );
    expect(out).to.have.length(2);
    for (const d of out) expect(d.kind === 'send' ? d.frame.position : undefined).to.equal('9');
  });

  it('reports each group’s view change: online / offline, a new contact already online, a block and an unblock', () => {
    const g = given('contacts', [chat('alice', 'bob')]);
    expect(g.apply(next(), online('bob'), profile)).to.deep.equal([{ group: 'user_alice', userId: 'bob', username: 'bob-name', before: false, after: true }]);
    // A re-announce (UserWentOnline while online) changes nothing.
    expect(g.apply(next(), online('bob'), profile)).to.deep.equal([]);
    expect(g.apply(next(), chat('carol', 'bob'), profile)).to.deep.equal([
      { group: 'user_carol', userId: 'bob', username: 'bob-name', before: false, after: true },
    ]);
    expect(g.apply(next(), block('bob', 'alice'), profile)).to.deep.equal([
      { group: 'user_alice', userId: 'bob', username: 'bob-name', before: true, after: false },
    ]);
    expect(g.apply(next(), unblock('bob', 'alice'), profile)).to.deep.equal([
      { group: 'user_alice', userId: 'bob', username: 'bob-name', before: false, after: true },
    ]);
    expect(g.apply(next(), offline('bob'), profile)).to.have.deep.members([
      { group: 'user_alice', userId: 'bob', username: 'bob-name', before: true, after: false },
      { group: 'user_carol', userId: 'bob', username: 'bob-name', before: true, after: false },
    ]);
    expect([...g.onlineSeenBy('alice')]).to.deep.equal([]);
  });

  it('onlineSeenBy: every online user (all), or the visible online contacts (contacts)', () => {
    const events = [chat('alice', 'bob'), chat('alice', 'eve'), block('alice', 'eve'), online('bob'), online('eve'), online('zed')];
    expect([...given('all', events).onlineSeenBy('alice').keys()].sort()).to.deep.equal(['bob', 'eve', 'zed']);
    expect([...given('contacts', events).onlineSeenBy('alice')]).to.deep.equal([['bob', 'bob-name']]);
  });
});
