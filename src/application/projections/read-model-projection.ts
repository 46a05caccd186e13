import type { Position } from '../ports/event-store.js';
import type { ReadModelChange } from '../ports/read-model.js';
import type { AnyDomainEvent } from '../../domain/events.js';

export interface ProjectionMeta {
  readonly eventId: string;
  readonly position: Position;
}

/**
 * The read models as a pure function of one event. Stores apply the changes with their
 * checkpoint, so a live run and a rebuild from an empty store go through the same code.
 * Notification data keeps ids only; see notification-data.ts for what is served.
 */
export const projectReadModel = (event: AnyDomainEvent, meta: ProjectionMeta): readonly ReadModelChange[] => {
  switch (event.type) {
    case 'UserRegistered':
    case 'UserProfileUpdated': {
      const d = event.data;
      return [{ kind: 'UpsertUser', userId: d.userId, username: d.username, nickname: d.nickname, avatar: d.avatar, at: d.at }];
    }
    case 'UsernameClaimed':
      // Whoever else had the name keeps its record (chats, notifications) but no longer answers to it.
      return [{ kind: 'ClaimUsername', username: event.data.username, userId: event.data.userId }];
    case 'UserWentOnline':
      return [{ kind: 'SetOnline', userId: event.data.userId, online: true, at: event.data.at }];
    case 'UserWentOffline':
      return [{ kind: 'SetOnline', userId: event.data.userId, online: false, at: event.data.at }];

    case 'ChatCreated':
      return [{ kind: 'CreateChat', chatId: event.data.chatId, members: event.data.members, at: event.data.at }];
    case 'MessageSent': {
      const d = event.data;
      return [{ kind: 'AddMessage', chatId: d.chatId, messageId: d.messageId, senderId: d.senderId, content: d.content, seq: d.seq, date: d.date }];
    }
    case 'MessageLiked':
    case 'MessageUnliked':
      return [{ kind: 'SetLiked', chatId: event.data.chatId, messageId: event.data.messageId, liked: event.type === 'MessageLiked' }];
    case 'MessagesRead': {
      const d = event.data;
      return [{ kind: 'MarkMessagesRead', chatId: d.chatId, readerId: d.readerId, senderId: d.senderId, throughSeq: d.throughSeq }];
    }

    case 'InvitationSent': {
      const d = event.data;
      return [
        {
          kind: 'AddNotification',
          userId: d.inviteeId,
          notificationId: d.inviteId,
          action: 'game_invite',
          data: { id: d.inviteId, sender_id: d.inviterId, options: d.options },
          date: d.at,
        },
      ];
    }
    // Once answered or withdrawn, the invitee's invitation is no longer news.
    case 'InvitationAccepted':
    case 'InvitationDeclined':
    case 'InvitationCanceled':
      return [{ kind: 'MarkNotificationReadById', notificationId: event.data.inviteId }];
    case 'FriendAdded':
      // The event id is a uuid and stable under replay: it names the notification.
      return [
        {
          kind: 'AddNotification',
          userId: event.data.friendId,
          notificationId: meta.eventId,
          action: 'new_friend',
          data: { sender_id: event.data.userId },
          date: event.data.at,
        },
      ];
    case 'TournamentAnnounced': {
      const d = event.data;
      return [
        {
          kind: 'AddNotificationForAllUsers',
          exceptUserIds: [d.organizerId, ...d.excludedUserIds],
          notificationId: d.tournamentId,
          action: 'new_tournament',
          data: { tournament_id: d.tournamentId, tournament_name: d.name, organizer_id: d.organizerId },
          date: d.at,
        },
      ];
    }
    case 'NotificationRead':
      return [{ kind: 'MarkNotificationRead', userId: event.data.userId, notificationId: event.data.notificationId }];
    case 'AllNotificationsRead':
      return [{ kind: 'MarkAllNotificationsRead', userId: event.data.userId, at: event.data.at }];

    case 'UserBlocked':
      return [{ kind: 'Block', userId: event.data.userId, blockedId: event.data.blockedId, at: event.data.at }];
    case 'UserUnblocked':
      return [{ kind: 'Unblock', userId: event.data.userId, blockedId: event.data.blockedId }];

    case 'RoomAnnounced':
    case 'GameEnded':
    case 'InvitationAbandoned':
    case 'EngagementReserved':
    case 'EngagementReleased':
    case 'ConnectionOpened':
    case 'ConnectionClosed':
    case 'ActivityRecorded':
    case 'EphemeralNotificationSent':
      return [];
  }
};
