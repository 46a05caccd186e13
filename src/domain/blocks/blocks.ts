import { Set as ISet } from 'immutable';
import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/** Whom one user has blocked. Blocking is one-directional; rules check both directions. */
const blocking = t.readonly(t.type({ userId: t.string, blockedId: t.string, at: t.string }));
export const UserBlocked = defineEvent('UserBlocked', blocking);
export const UserUnblocked = defineEvent('UserUnblocked', blocking);
export const blocksEvents = EventSet.of(UserBlocked).and(UserUnblocked);
export type BlocksEvent = EventOf<(typeof blocksEvents.specs)[number]>;

export type BlocksCommand =
  | { readonly kind: 'BlockUser'; readonly userId: string; readonly targetId: string; readonly at: string }
  | { readonly kind: 'UnblockUser'; readonly userId: string; readonly targetId: string; readonly at: string };

export interface BlocksState {
  readonly blocked: ISet<string>;
}

export const blocksDecider: Decider<BlocksCommand, BlocksState, BlocksEvent> = {
  events: blocksEvents,
  initialState: { blocked: ISet() },
  decide: (c, s) => {
    if (c.userId === c.targetId) return refuse('cannot_block_self', 'You cannot block yourself');
    const data = { userId: c.userId, blockedId: c.targetId, at: c.at };
    if (c.kind === 'BlockUser') return s.blocked.has(c.targetId) ? [] : [{ type: 'UserBlocked', data }];
    return s.blocked.has(c.targetId) ? [{ type: 'UserUnblocked', data }] : [];
  },
  evolve: (s, e) => ({
    blocked: e.type === 'UserBlocked' ? s.blocked.add(e.data.blockedId) : s.blocked.delete(e.data.blockedId),
  }),
  sizeOf: (s) => 100 + s.blocked.size * 110,
};

export const blocksStream = (userId: string): string => `blocks-${userId}`;

/** Whether either user blocked the other, given both users' block states. */
export const blockedEitherWay = (a: string, aState: BlocksState, b: string, bState: BlocksState): boolean => aState.blocked.has(b) || bState.blocked.has(a);
