import { expect } from 'chai';
import { BlockGraph } from '../../src/application/blocks/block-graph.js';
import { positionOf } from '../../src/application/ports/position.js';
import type { AnyDomainEvent } from '../../src/domain/events.js';

const AT = '2025-07-28T09:00:00.000Z';
const block = (userId: string, blockedId: string): AnyDomainEvent => ({ type: 'UserBlocked', data: { userId, blockedId, at: AT } });
const unblock = (userId: string, blockedId: string): AnyDomainEvent => ({ type: 'UserUnblocked', data: { userId, blockedId, at: AT } });
const p = positionOf;

describe('BlockGraph: who blocked whom, in log order', () => {
  it('follows blocks and unblocks one direction at a time, ignoring other events', () => {
    const g = new BlockGraph();
    g.apply(p(1), block('alice', 'bob'));
    g.apply(p(2), { type: 'UserWentOnline', data: { userId: 'bob', at: AT } });
    expect(g.blocked('alice', 'bob')).to.equal(true);
    expect(g.blocked('bob', 'alice'), 'a block is one-directional').to.equal(false);
    g.apply(p(3), block('bob', 'alice'));
    g.apply(p(4), unblock('alice', 'bob'));
    expect(g.blocked('alice', 'bob')).to.equal(false);
    expect(g.blocked('bob', 'alice')).to.equal(true);
  });

  it('taking an event again (a batch handled again after a fault) changes nothing', () => {
    const g = new BlockGraph();
    g.apply(p(1), block('alice', 'bob'));
    g.apply(p(2), unblock('alice', 'bob'));
    g.apply(p(1), block('alice', 'bob'));
    expect(g.blocked('alice', 'bob')).to.equal(false);
    g.apply(p(2), unblock('alice', 'bob'));
    expect(g.blockedBefore(p(2))('alice', 'bob')).to.equal(true);
  });

  it('answers as the log stood just before a position', () => {
    const g = new BlockGraph();
    g.apply(p(10), block('alice', 'bob'));
    g.apply(p(20), unblock('alice', 'bob'));
    g.apply(p(30), block('alice', 'bob'));
    const before = (n: number) => g.blockedBefore(p(n))('alice', 'bob');
    expect([before(5), before(10), before(11), before(20), before(25), before(30), before(31)]).to.deep.equal([false, false, true, true, false, false, true]);
  });

  it('a replay sees the block events it passed, also those the graph has not taken yet', () => {
    const g = new BlockGraph();
    g.apply(p(10), block('bob', 'alice'));
    const replay = g.replay();
    // The replay reads from 5: at 7 Bob had not blocked Alice yet (the graph's history says so).
    expect(replay.before(p(7))('bob', 'alice')).to.equal(false);
    replay.apply(block('bob', 'alice'));
    expect(replay.before(p(12))('bob', 'alice')).to.equal(true);
    // 15 and 16: stored, not yet taken by the graph (its broadcaster lags); the replay passed them.
    replay.apply(unblock('bob', 'alice'));
    expect(replay.before(p(16))('bob', 'alice')).to.equal(false);
    expect(g.blocked('bob', 'alice'), 'the graph itself is left as it was').to.equal(true);
    expect(replay.before(p(16))('alice', 'bob')).to.equal(false);
  });
});
