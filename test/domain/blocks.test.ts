import { expect } from 'chai';
import { blockedEitherWay, blocksDecider, type BlocksCommand, type BlocksEvent } from '../../src/domain/blocks/blocks.js';
import { at, scenario } from './given-when-then.js';

const A = 'alice-id';
const B = 'bob-id';

const blocks = scenario(blocksDecider);

const block = (targetId: string, atS = 0): BlocksCommand => ({ kind: 'BlockUser', userId: A, targetId, at: at(atS) });
const unblock = (targetId: string, atS = 0): BlocksCommand => ({ kind: 'UnblockUser', userId: A, targetId, at: at(atS) });
const blocked = (blockedId: string, atS = 0): BlocksEvent => ({ type: 'UserBlocked', data: { userId: A, blockedId, at: at(atS) } });
const unblocked = (blockedId: string, atS = 0): BlocksEvent => ({ type: 'UserUnblocked', data: { userId: A, blockedId, at: at(atS) } });

describe('blocks decider', () => {
  it('blocks a user', () => {
    blocks
      .given([])
      .when(block(B))
      .then([blocked(B)]);
  });

  it('blocking oneself is refused', () => {
    blocks.given([]).when(block(A)).thenRefused('cannot_block_self');
  });

  it('unblocking oneself is refused', () => {
    blocks.given([]).when(unblock(A)).thenRefused('cannot_block_self');
  });

  it('blocking a blocked user is a no-op', () => {
    blocks
      .given([blocked(B)])
      .when(block(B, 5))
      .thenNothing();
  });

  it('unblocks a blocked user', () => {
    blocks
      .given([blocked(B)])
      .when(unblock(B, 5))
      .then([unblocked(B, 5)]);
  });

  it('unblocking a user not blocked is a no-op', () => {
    blocks.given([]).when(unblock(B)).thenNothing();
    blocks
      .given([blocked(B), unblocked(B, 1)])
      .when(unblock(B, 2))
      .thenNothing();
  });

  it('blocks are per target', () => {
    blocks
      .given([blocked(B)])
      .when(block('carol-id', 1))
      .then([blocked('carol-id', 1)]);
  });

  it('replaying the emitted events gives the state later decisions rely on', () => {
    blocks
      .given([])
      .when(block(B, 0))
      .then([blocked(B, 0)])
      .when(block(B, 1))
      .thenNothing()
      .when(unblock(B, 2))
      .then([unblocked(B, 2)])
      .when(unblock(B, 3))
      .thenNothing()
      .when(block(B, 4))
      .then([blocked(B, 4)]);
  });

  it('blockedEitherWay checks both directions', () => {
    const aBlockedB = blocks.given([blocked(B)]).state();
    const nobody = blocks.given([]).state();
    expect(blockedEitherWay(A, aBlockedB, B, nobody)).to.equal(true);
    expect(blockedEitherWay(B, nobody, A, aBlockedB)).to.equal(true);
    expect(blockedEitherWay(A, nobody, B, nobody)).to.equal(false);
    expect(blockedEitherWay(A, blocks.given([blocked(B), unblocked(B, 1)]).state(), B, nobody)).to.equal(false);
  });
});
