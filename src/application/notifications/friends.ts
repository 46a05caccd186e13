import { friendsStream } from '../../domain/social/friends.js';
import { userStream } from '../../domain/user/user.js';
import { isRefusal, ok } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from '../blocks/blocked-either-way.js';
import { send, userGroup } from '../broadcast/delivery.js';
import { metaOf } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { erasedMark } from '../broadcast/delivery.js';
import { frameOf } from '../wire/server-frames.js';

const addNewFriend: ActionHandler<'add_new_friend'> = async ({ deps, actor, correlationId }, data) => {
  const receiver = await deps.aggregates.user.load(userStream(data.receiver_id));
  const blocked = data.sender_id !== data.receiver_id && (await isBlockedEitherWay(deps, actor.userId, data.receiver_id));
  const at = deps.now().toISOString();
  const result = await deps.aggregates.friends.execute(
    friendsStream(actor.userId),
    { kind: 'AddFriend', actorId: actor.userId, senderId: data.sender_id, receiverId: data.receiver_id, receiverKnown: receiver.state.known, blocked, at },
    metaOf(actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok({ position: result.position });
};

/** Friendships made elsewhere on the platform, announced here: a frame and a stored notification for the new friend. */
export const friends = {
  actions: { add_new_friend: addNewFriend },
  projections: {
    // The event id is a uuid and stable under replay: it names the notification.
    FriendAdded: (e, meta) => [
      {
        kind: 'AddNotification',
        userId: e.data.friendId,
        notificationId: meta.eventId,
        action: 'new_friend',
        data: { sender_id: e.data.userId },
        date: e.data.at,
      },
    ],
  },
  frames: {
    FriendAdded: {
      profiles: (e) => [e.data.userId],
      deliveries: (e, { position, profile }) => {
        const sender = profile(e.data.userId);
        return [
          send(userGroup(e.data.friendId), frameOf('new_friend', { username: sender.username, nickname: sender.nickname, ...erasedMark(sender) }, position)),
        ];
      },
    },
  },
  describe: { FriendAdded: (e, u) => `${u(e.data.userId)} added ${u(e.data.friendId)} as a friend` },
} satisfies Feature;
