import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/** Friendships are made elsewhere on the platform; this service announces them. */
export const FriendAdded = defineEvent('FriendAdded', t.readonly(t.type({ userId: t.string, friendId: t.string, at: t.string })));
export const friendsEvents = EventSet.of(FriendAdded);
export type FriendsEvent = EventOf<(typeof friendsEvents.specs)[number]>;

export interface AddFriend {
  readonly kind: 'AddFriend';
  /** Who sent the command; must be the `sender_id` it names. */
  readonly actorId: string;
  readonly senderId: string;
  readonly receiverId: string;
  readonly receiverKnown: boolean;
  /** Either user blocked the other, looked up by the handler from both block streams. */
  readonly blocked: boolean;
  readonly at: string;
}

export const friendsDecider: Decider<AddFriend, null, FriendsEvent> = {
  events: friendsEvents,
  initialState: null,
  decide: (c) => {
    if (c.actorId !== c.senderId) return refuse('forbidden', 'sender_id must be your own id');
    if (c.senderId === c.receiverId) return refuse('cannot_befriend_self', 'You cannot add yourself as a friend');
    if (!c.receiverKnown) return refuse('user_not_found', 'No such user');
    if (c.blocked) return refuse('blocked', 'One of you blocked the other');
    return [{ type: 'FriendAdded', data: { userId: c.senderId, friendId: c.receiverId, at: c.at } }];
  },
  evolve: (s) => s,
};

export const friendsStream = (userId: string): string => `friends-${userId}`;
