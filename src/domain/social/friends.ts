import type { Decider, DomainEvent } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';

/** Friendships are made elsewhere on the platform; this service announces them. */
export type FriendsEvent = DomainEvent<'FriendAdded', { readonly userId: string; readonly friendId: string; readonly at: string }>;

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
