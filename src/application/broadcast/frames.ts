import type { AnyDomainEvent } from '../../domain/events.js';
import type { CancelReason } from '../../domain/invite/events.js';
import type { Position } from '../ports/event-store.js';
import { frameLabels } from './frame-position.js';

/** A server → client frame. `position` is set on frames derived from stored events. */
export interface Frame {
  readonly action: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly position?: string;
}

export type Group = `user_${string}` | `chat_${string}` | 'online_users';

export const userGroup = (userId: string): Group => `user_${userId}`;
export const chatGroup = (chatId: string): Group => `chat_${chatId}`;
export const ONLINE_USERS: Group = 'online_users';

/** The contract's per-change presence frames; batched sockets get `presence_state` / `presence_diff` instead. */
export const PRESENCE_ACTIONS: ReadonlySet<string> = new Set(['user_online', 'user_offline']);
export const isPresenceFrame = (frame: Frame): boolean => PRESENCE_ACTIONS.has(frame.action);

/** Who gets a user's presence frames: `online_users` (scope `all`), or their contacts' `user_{id}` groups (scope `contacts`). */
export type PresenceAudience = (userId: string) => readonly Group[];
export const EVERYONE_ONLINE: PresenceAudience = () => [ONLINE_USERS];

/** What the broadcaster does for one event: frames to groups, and sockets joining chat groups. */
export type Delivery =
  /** `exceptUserIds`: users whose sockets in the group do not get the frame. */
  | { readonly kind: 'send'; readonly group: Group; readonly frame: Frame; readonly exceptUserIds?: readonly string[] }
  | { readonly kind: 'join'; readonly userId: string; readonly group: Group };

export interface ProfileView {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

/** The user ids whose profiles `deliveriesFor` needs for this event. */
export const profilesNeeded = (e: AnyDomainEvent): readonly string[] => {
  switch (e.type) {
    case 'MessageSent':
      return [e.data.senderId];
    case 'InvitationSent':
    case 'InvitationAccepted':
    case 'InvitationDeclined':
    case 'InvitationCanceled':
      return [e.data.inviterId, e.data.inviteeId];
    case 'UserWentOnline':
    case 'UserWentOffline':
      return [e.data.userId];
    case 'FriendAdded':
      return [e.data.userId];
    case 'TournamentAnnounced':
      return [e.data.organizerId];
    default:
      return [];
  }
};

const CANCEL_MESSAGES: Readonly<Record<CancelReason, string>> = {
  canceled: 'The invitation was canceled',
  expired: 'The invitation expired',
  inviter_disconnected: 'The inviter left',
};

const send = (group: Group, action: string, data: Frame['data'], position: string, exceptUserIds?: readonly string[]): Delivery => ({
  kind: 'send',
  group,
  frame: { action, data, position },
  ...(exceptUserIds === undefined ? {} : { exceptUserIds }),
});

/** One frame to several groups: the same frame object (one position, serialised once by the hub). */
const sendToAll = (groups: readonly Group[], action: string, data: Frame['data'], position: string): Delivery[] => {
  const frame: Frame = { action, data, position };
  return groups.map((group) => ({ kind: 'send', group, frame }));
};

/** Whether a send delivery reaches a socket of `userId`. */
export const reaches = (d: Extract<Delivery, { kind: 'send' }>, userId: string): boolean => d.exceptUserIds?.includes(userId) !== true;

/**
 * The frames an event produces (PROTOCOL.md's server → client payloads). Pure: profiles are
 * looked up by the caller from `profilesNeeded`, so the mapping is testable and replayable.
 */
export const deliveriesFor = (
  e: AnyDomainEvent,
  position: string,
  profile: (userId: string) => ProfileView,
  presenceAudience: PresenceAudience = EVERYONE_ONLINE,
): readonly Delivery[] => {
  switch (e.type) {
    case 'ChatCreated': {
      const [a, b] = e.data.members;
      const group = chatGroup(e.data.chatId);
      return [
        { kind: 'join', userId: a, group },
        { kind: 'join', userId: b, group },
        send(userGroup(a), 'join_chat', { chat_id: e.data.chatId }, position),
        send(userGroup(b), 'join_chat', { chat_id: e.data.chatId }, position),
      ];
    }
    case 'MessageSent': {
      const d = e.data;
      return [
        send(
          chatGroup(d.chatId),
          'new_message',
          {
            chat_id: d.chatId,
            id: d.messageId,
            content: d.content,
            date: d.date,
            sender: profile(d.senderId).username,
            is_read: false,
            is_liked: false,
            timestamp: d.clientTimestamp,
            ...(d.clientMsgId === undefined ? {} : { client_msg_id: d.clientMsgId }),
          },
          position,
        ),
      ];
    }
    case 'MessageLiked':
    case 'MessageUnliked':
      return [
        send(chatGroup(e.data.chatId), 'chat_like_update', { chat_id: e.data.chatId, id: e.data.messageId, is_liked: e.type === 'MessageLiked' }, position),
      ];
    case 'RoomAnnounced':
      return [send(chatGroup(e.data.chatId), 'room_created', { chat_id: e.data.chatId }, position)];
    case 'InvitationSent': {
      const inviter = profile(e.data.inviterId);
      return [
        send(
          userGroup(e.data.inviteeId),
          'game_invite',
          {
            id: e.data.inviteId,
            username: inviter.username,
            nickname: inviter.nickname,
            avatar: inviter.avatar,
            options: e.data.options,
          },
          position,
        ),
      ];
    }
    case 'InvitationAccepted': {
      const inviter = profile(e.data.inviterId);
      const invitee = profile(e.data.inviteeId);
      const accepted = (p: ProfileView) => ({ game_id: e.data.gameId, username: p.username, nickname: p.nickname, avatar: p.avatar });
      const found = (opponent: ProfileView) => ({ game_id: e.data.gameId, opponent: opponent.username, options: e.data.options });
      return [
        send(userGroup(e.data.inviterId), 'game_accepted', accepted(invitee), position),
        send(userGroup(e.data.inviteeId), 'game_accepted', accepted(inviter), position),
        send(userGroup(e.data.inviterId), 'game_found', found(invitee), position),
        send(userGroup(e.data.inviteeId), 'game_found', found(inviter), position),
      ];
    }
    case 'InvitationDeclined': {
      const invitee = profile(e.data.inviteeId);
      return [send(userGroup(e.data.inviterId), 'game_declined', { username: invitee.username, nickname: invitee.nickname }, position)];
    }
    case 'InvitationCanceled': {
      const inviter = profile(e.data.inviterId);
      const invitee = profile(e.data.inviteeId);
      const message = CANCEL_MESSAGES[e.data.reason];
      const canceled = (other: ProfileView) => ({ username: other.username, nickname: other.nickname, message, client_id: e.data.clientId });
      return [
        send(userGroup(e.data.inviteeId), 'game_invite_canceled', canceled(inviter), position),
        send(userGroup(e.data.inviterId), 'game_invite_canceled', canceled(invitee), position),
      ];
    }
    case 'UserWentOnline':
      return sendToAll(presenceAudience(e.data.userId), 'user_online', { username: profile(e.data.userId).username }, position);
    case 'UserWentOffline':
      return sendToAll(presenceAudience(e.data.userId), 'user_offline', { username: profile(e.data.userId).username }, position);
    case 'FriendAdded': {
      const sender = profile(e.data.userId);
      return [send(userGroup(e.data.friendId), 'new_friend', { username: sender.username, nickname: sender.nickname }, position)];
    }
    case 'TournamentAnnounced':
      return [
        send(
          ONLINE_USERS,
          'new_tournament',
          {
            tournament_id: e.data.tournamentId,
            tournament_name: e.data.name,
            creator: profile(e.data.organizerId).username,
          },
          position,
          [e.data.organizerId, ...e.data.excludedUserIds],
        ),
      ];
    case 'EphemeralNotificationSent':
      return [send(userGroup(e.data.userId), 'notification', { message: e.data.message, type: e.data.notificationType }, position)];
    default:
      return [];
  }
};

/**
 * Gives each frame of an event its own position when the event gave several (`game_accepted`
 * then `game_found`), so a client cut off between them resumes from the one it last received.
 */
export const withFramePositions = (deliveries: readonly Delivery[], at: Position): readonly Delivery[] => {
  // A frame sent to several groups (presence to each contact) is one frame: it keeps one position.
  const frames = [...new Set(deliveries.flatMap((d) => (d.kind === 'send' ? [d.frame] : [])))];
  if (frames.length <= 1) return deliveries;
  const labels = frameLabels(at, frames.length);
  const labelled = new Map(frames.map((f, i) => [f, { ...f, position: labels[i] }]));
  return deliveries.map((d) => (d.kind === 'send' ? { ...d, frame: labelled.get(d.frame) ?? d.frame } : d));
};
