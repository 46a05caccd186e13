import { friendsDecider, type AddFriend, type FriendsEvent } from '../../src/domain/social/friends.js';
import { at, scenario } from './given-when-then.js';

const A = 'alice-id';
const B = 'bob-id';

const friends = scenario(friendsDecider);

const addFriend = (overrides: Partial<AddFriend> = {}): AddFriend => ({
  kind: 'AddFriend',
  actorId: A,
  senderId: A,
  receiverId: B,
  receiverKnown: true,
  blocked: false,
  at: at(0),
  ...overrides,
});

const friendAdded: FriendsEvent = { type: 'FriendAdded', data: { userId: A, friendId: B, at: at(0) } };

describe('friends decider', () => {
  it('announces a friendship', () => {
    friends.given([]).when(addFriend()).then([friendAdded]);
  });

  it('the actor must be the sender (forbidden)', () => {
    friends
      .given([])
      .when(addFriend({ actorId: 'mallory-id' }))
      .thenRefused('forbidden');
    friends
      .given([])
      .when(addFriend({ actorId: B, senderId: A, receiverId: B }))
      .thenRefused('forbidden');
  });

  it('refuses befriending oneself', () => {
    friends
      .given([])
      .when(addFriend({ receiverId: A }))
      .thenRefused('cannot_befriend_self');
  });

  it('refuses an unknown receiver', () => {
    friends
      .given([])
      .when(addFriend({ receiverKnown: false }))
      .thenRefused('user_not_found');
  });

  it('refuses when either user blocked the other (blocked), after the identity checks', () => {
    friends
      .given([])
      .when(addFriend({ blocked: true }))
      .thenRefused('blocked');
    friends
      .given([])
      .when(addFriend({ blocked: true, actorId: 'mallory-id' }))
      .thenRefused('forbidden');
    friends
      .given([])
      .when(addFriend({ blocked: true, receiverKnown: false }))
      .thenRefused('user_not_found');
  });

  it('replaying the emitted events leaves later decisions unchanged (the stream keeps no state)', () => {
    friends
      .given([])
      .when(addFriend())
      .then([friendAdded])
      .when(addFriend({ receiverId: 'carol-id', at: at(5) }))
      .then([{ type: 'FriendAdded', data: { userId: A, friendId: 'carol-id', at: at(5) } }])
      .when(addFriend({ actorId: 'mallory-id' }))
      .thenRefused('forbidden');
  });
});
