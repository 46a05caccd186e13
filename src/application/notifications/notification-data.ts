import type { NotificationAction, UserRecord } from '../ports/read-model.js';

/**
 * Stored notification data holds ids only (the projection is pure and sees one event); the
 * user it is about is joined at read time, so a later profile change shows up too. These
 * functions are the two halves of that contract, shared by every read-model store.
 *
 *   game_invite     stored { id, sender_id, options }                    → { id, username, nickname, avatar, options }
 *   new_friend      stored { sender_id }                                 → { username, nickname }
 *   new_tournament  stored { tournament_id, tournament_name, organizer_id } → { tournament_id, tournament_name, creator }
 *
 * and `erased: true` in each when that user was erased.
 *
 * The served shapes are the WebSocket frames' payloads for the same actions (PROTOCOL.md).
 */

type Data = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The user a stored notification is about: the inviter, the new friend or the organizer. */
export const notificationSubjectId = (action: NotificationAction, data: Data): string | undefined =>
  action === 'new_tournament' ? str(data['organizer_id']) : str(data['sender_id']);

/** The served `data` of a notification, given the user it is about (undefined when unknown). */
export const notificationData = (action: NotificationAction, data: Data, subject: UserRecord | undefined): Data => {
  const username = subject?.username ?? '';
  const nickname = subject?.nickname ?? '';
  // An erased subject shows as the read models hold it (alias, empty fields), marked.
  const erased = subject?.erased === true ? { erased: true } : {};
  switch (action) {
    case 'game_invite':
      return { id: data['id'], username, nickname, avatar: subject?.avatar ?? '', options: data['options'], ...erased };
    case 'new_friend':
      return { username, nickname, ...erased };
    case 'new_tournament':
      return { tournament_id: data['tournament_id'], tournament_name: data['tournament_name'], creator: username, ...erased };
  }
};
