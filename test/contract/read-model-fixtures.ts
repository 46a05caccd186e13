import type { Position } from '../../src/application/ports/event-store.js';
import type { PositionedChanges, ReadModelQueries, ReadModelStore } from '../../src/application/ports/read-model.js';
import { positionOf } from '../../src/application/ports/position.js';
import { projectEvent } from '../../src/application/features.js';
import type { AnyDomainEvent } from '../../src/domain/events.js';
import { DEFAULT_GAME_OPTIONS, type GameOptions } from '../../src/domain/invite/options.js';

/** Deterministic uuids and times, so scripted logs compare equal run after run. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const at = (seconds: number): string => new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();

export interface LoggedEvent {
  readonly event: AnyDomainEvent;
  readonly eventId: string;
  readonly position: Position;
  /** Decoded with personal data erased (its owner's keys were gone): as a rebuild after an erasure sees it. */
  readonly erased?: boolean;
}

export const positioned = (e: LoggedEvent): PositionedChanges => ({
  position: e.position,
  changes: projectEvent(e.event, { eventId: e.eventId, position: e.position, erased: e.erased === true }),
});

/** A log under construction: events get consecutive positions (as in the embedded store). */
export class EventLog {
  readonly events: LoggedEvent[] = [];

  /** Appends and returns the new events' positioned changes (one entry per event). */
  append(...events: readonly AnyDomainEvent[]): PositionedChanges[] {
    return this.appendAs(false, ...events);
  }

  /** `append`, each event decoded as erased or not. */
  appendAs(erased: boolean, ...events: readonly AnyDomainEvent[]): PositionedChanges[] {
    return events.map((event) => {
      const n = this.events.length + 1;
      const logged = { event, eventId: uuid(0xe0000 + n), position: positionOf(n), erased };
      this.events.push(logged);
      return positioned(logged);
    });
  }

  batches(size: number): PositionedChanges[][] {
    const all = this.events.map(positioned);
    const out: PositionedChanges[][] = [];
    for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
    return out;
  }
}

export const PROJECTION = 'read-models';

/** Appends the events to the log and applies them to the store as one batch. */
export const feed = async (store: ReadModelStore, log: EventLog, ...events: readonly AnyDomainEvent[]): Promise<PositionedChanges[]> => {
  const batch = log.append(...events);
  await store.apply(PROJECTION, batch);
  return batch;
};

// ---- Event builders ----------------------------------------------------------------------

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

export const user = (name: string): TestUser => ({ id: `id-${name}`, username: name, nickname: `${name} N`, avatar: `https://a/${name}.png` });

export const registered = (u: TestUser, t: number): AnyDomainEvent => ({
  type: 'UserRegistered',
  data: { userId: u.id, username: u.username, nickname: u.nickname, avatar: u.avatar, at: at(t) },
});

export const profileUpdated = (u: TestUser, t: number): AnyDomainEvent => ({
  type: 'UserProfileUpdated',
  data: { userId: u.id, username: u.username, nickname: u.nickname, avatar: u.avatar, at: at(t) },
});

export const claimed = (u: TestUser, previous: TestUser | undefined, t: number): AnyDomainEvent => ({
  type: 'UsernameClaimed',
  data: { username: u.username, userId: u.id, previousHolderId: previous?.id ?? null, at: at(t) },
});

export const erasedUser = (u: TestUser, alias: string, t: number): AnyDomainEvent => ({ type: 'UserErased', data: { userId: u.id, alias, at: at(t) } });

export const online = (u: TestUser, t: number): AnyDomainEvent => ({ type: 'UserWentOnline', data: { userId: u.id, at: at(t) } });
export const offline = (u: TestUser, t: number): AnyDomainEvent => ({
  type: 'UserWentOffline',
  data: { userId: u.id, reason: 'logout', at: at(t) },
});

export const chatCreated = (chatId: string, a: TestUser, b: TestUser, t: number): AnyDomainEvent => ({
  type: 'ChatCreated',
  data: { chatId, members: [a.id, b.id], createdBy: a.id, at: at(t) },
});

export const sent = (chatId: string, messageId: string, sender: TestUser, seq: number, t: number, content = `m${seq}`): AnyDomainEvent => ({
  type: 'MessageSent',
  data: { chatId, messageId, senderId: sender.id, content, seq, date: at(t), clientTimestamp: at(t) },
});

export const liked = (chatId: string, messageId: string, by: TestUser, t: number, like = true): AnyDomainEvent => ({
  type: like ? 'MessageLiked' : 'MessageUnliked',
  data: { chatId, messageId, userId: by.id, at: at(t) },
});

export const read = (chatId: string, reader: TestUser, sender: TestUser, messageId: string, throughSeq: number, t: number): AnyDomainEvent => ({
  type: 'MessagesRead',
  data: { chatId, readerId: reader.id, senderId: sender.id, messageId, throughSeq, at: at(t) },
});

export const invited = (inviteId: string, inviter: TestUser, invitee: TestUser, t: number, options: GameOptions = DEFAULT_GAME_OPTIONS): AnyDomainEvent => ({
  type: 'InvitationSent',
  data: { inviteId, inviterId: inviter.id, inviteeId: invitee.id, options, clientId: uuid(999), at: at(t), expiresAt: at(t + 300) },
});

export const accepted = (inviteId: string, inviter: TestUser, invitee: TestUser, t: number): AnyDomainEvent => ({
  type: 'InvitationAccepted',
  data: { inviteId, inviterId: inviter.id, inviteeId: invitee.id, gameId: uuid(777), options: DEFAULT_GAME_OPTIONS, at: at(t), endsAt: at(t + 600) },
});

export const declined = (inviteId: string, inviter: TestUser, invitee: TestUser, t: number): AnyDomainEvent => ({
  type: 'InvitationDeclined',
  data: { inviteId, inviterId: inviter.id, inviteeId: invitee.id, at: at(t) },
});

export const canceled = (inviteId: string, inviter: TestUser, invitee: TestUser, t: number): AnyDomainEvent => ({
  type: 'InvitationCanceled',
  data: { inviteId, inviterId: inviter.id, inviteeId: invitee.id, reason: 'expired', clientId: uuid(999), at: at(t) },
});

export const befriended = (sender: TestUser, receiver: TestUser, t: number): AnyDomainEvent => ({
  type: 'FriendAdded',
  data: { userId: sender.id, friendId: receiver.id, at: at(t) },
});

export const tournament = (tournamentId: string, name: string, organizer: TestUser, t: number, excluded: readonly TestUser[] = []): AnyDomainEvent => ({
  type: 'TournamentAnnounced',
  data: { tournamentId, name, organizerId: organizer.id, excludedUserIds: excluded.map((u) => u.id), at: at(t) },
});

export const notificationRead = (u: TestUser, notificationId: string, t: number): AnyDomainEvent => ({
  type: 'NotificationRead',
  data: { userId: u.id, notificationId, at: at(t) },
});

export const allRead = (u: TestUser, t: number): AnyDomainEvent => ({ type: 'AllNotificationsRead', data: { userId: u.id, at: at(t) } });
export const markedRead = (u: TestUser, notificationIds: readonly string[], t: number): AnyDomainEvent => ({
  type: 'NotificationsMarkedRead',
  data: { userId: u.id, notificationIds, at: at(t) },
});

export const blocked = (u: TestUser, whom: TestUser, t: number): AnyDomainEvent => ({
  type: 'UserBlocked',
  data: { userId: u.id, blockedId: whom.id, at: at(t) },
});

export const unblocked = (u: TestUser, whom: TestUser, t: number): AnyDomainEvent => ({
  type: 'UserUnblocked',
  data: { userId: u.id, blockedId: whom.id, at: at(t) },
});

// ---- A scripted history touching every change kind ---------------------------------------

export const ALICE = user('alice');
export const BOB = user('bob');
export const CAROL = user('carol');
export const DAVE = user('dave');
export const ERIN = user('erin');

export const CHAT_AB = uuid(0xab);
export const CHAT_AC = uuid(0xac);
export const CHAT_BD = uuid(0xbd);

export interface Script {
  readonly log: EventLog;
  readonly users: readonly TestUser[];
  readonly chats: readonly string[];
  readonly messages: readonly string[];
  readonly notificationIds: readonly string[];
}

export const scriptedHistory = (): Script => {
  const log = new EventLog();
  const m = (n: number): string => uuid(0x1000 + n);
  log.append(
    registered(ALICE, 1),
    registered(BOB, 2),
    registered(CAROL, 3),
    registered(DAVE, 4),
    online(ALICE, 5),
    online(BOB, 6),
    chatCreated(CHAT_AB, ALICE, BOB, 10),
    sent(CHAT_AB, m(1), ALICE, 1, 11),
    sent(CHAT_AB, m(2), BOB, 2, 12),
    sent(CHAT_AB, m(3), BOB, 3, 13),
    { type: 'RoomAnnounced', data: { chatId: CHAT_AB, by: ALICE.id, at: at(13) } },
    liked(CHAT_AB, m(2), ALICE, 14),
    chatCreated(CHAT_AC, CAROL, ALICE, 15),
    sent(CHAT_AC, m(4), CAROL, 1, 16),
    read(CHAT_AB, ALICE, BOB, m(2), 2, 17),
    sent(CHAT_AB, m(5), BOB, 4, 18),
    liked(CHAT_AB, m(2), ALICE, 19, false),
    liked(CHAT_AB, m(1), BOB, 20),
    invited(uuid(0x100), BOB, ALICE, 21),
    accepted(uuid(0x100), BOB, ALICE, 22),
    { type: 'GameEnded', data: { gameId: uuid(777), players: [BOB.id, ALICE.id], at: at(30) } },
    invited(uuid(0x101), CAROL, BOB, 31, { ...DEFAULT_GAME_OPTIONS, game_speed: 'fast', score_to_win: 7 }),
    befriended(DAVE, ALICE, 32),
    tournament(uuid(0x200), 'Spring Cup', CAROL, 33),
    registered(ERIN, 34),
    chatCreated(CHAT_BD, BOB, DAVE, 35),
    sent(CHAT_BD, m(6), DAVE, 1, 36),
    sent(CHAT_BD, m(7), DAVE, 2, 37),
    blocked(ALICE, DAVE, 38),
    blocked(ALICE, CAROL, 39),
    blocked(BOB, ALICE, 40),
    unblocked(BOB, ALICE, 41),
    blocked(DAVE, BOB, 42),
    notificationRead(ALICE, uuid(0x200), 43),
    declined(uuid(0x101), CAROL, BOB, 44),
    profileUpdated({ ...CAROL, nickname: 'Caz', avatar: 'https://a/caz.png' }, 45),
    allRead(DAVE, 46),
    tournament(uuid(0x201), 'Summer Cup', ERIN, 47),
    invited(uuid(0x102), ERIN, DAVE, 48),
    canceled(uuid(0x102), ERIN, DAVE, 49),
    markedRead(BOB, [uuid(0x201)], 49),
    offline(ALICE, 50),
    read(CHAT_AB, ALICE, BOB, m(5), 4, 51),
    read(CHAT_AB, BOB, ALICE, m(1), 1, 52),
    sent(CHAT_AC, m(8), ALICE, 2, 53),
    { type: 'EphemeralNotificationSent', data: { userId: BOB.id, message: 'hi', notificationType: 'info', at: at(54) } },
    { type: 'ActivityRecorded', data: { userId: BOB.id, at: at(55) } },
  );
  const friendNotification = log.events.find((e) => e.event.type === 'FriendAdded')?.eventId ?? '';
  return {
    log,
    users: [ALICE, BOB, CAROL, DAVE, ERIN],
    chats: [CHAT_AB, CHAT_AC, CHAT_BD, uuid(0xfff)],
    messages: [1, 2, 3, 4, 5, 6, 7, 8, 9].map(m),
    notificationIds: [uuid(0x100), uuid(0x101), uuid(0x102), uuid(0x200), uuid(0x201), friendNotification, uuid(0xfff)],
  };
};

/** Every query's answer for the script's ids: two stores with equal snapshots answer alike. */
export const snapshot = async (store: ReadModelQueries, s: Script): Promise<unknown> => {
  const all = { limit: 100, offset: 0 };
  const some = { limit: 2, offset: 1 };
  const out: Record<string, unknown> = {};
  for (const u of [...s.users, user('nobody')]) {
    out[`user ${u.id}`] = await store.userById(u.id);
    out[`username ${u.username}`] = await store.userByUsername(u.username);
    out[`chatIdsOf ${u.id}`] = await store.chatIdsOf(u.id);
    out[`previews ${u.id}`] = await store.chatPreviews(u.id, all);
    out[`previews page ${u.id}`] = await store.chatPreviews(u.id, some);
    for (const c of s.chats) out[`preview ${u.id} ${c}`] = await store.chatPreview(u.id, c);
    for (const f of ['all', 'unread', 'read'] as const) {
      out[`notifications ${u.id} ${f}`] = await store.notifications(u.id, f, all);
      out[`notifications page ${u.id} ${f}`] = await store.notifications(u.id, f, some);
    }
    for (const n of s.notificationIds) out[`has ${u.id} ${n}`] = await store.hasNotification(u.id, n);
    out[`unread ids ${u.id}`] = [...(await store.unreadNotificationIds(u.id))].sort();
    out[`blocks ${u.id}`] = await store.blocks(u.id, all);
    out[`blocks page ${u.id}`] = await store.blocks(u.id, { limit: 1, offset: 1 });
  }
  for (const c of s.chats) {
    out[`chat ${c}`] = await store.chat(c);
    out[`messages ${c}`] = await store.messages(c, all);
    out[`messages page ${c}`] = await store.messages(c, some);
  }
  for (const m of s.messages) out[`chat of message ${m}`] = (await store.messageRecord(m))?.chatId;
  out['userIdsAfter'] = await store.userIdsAfter(undefined, 100);
  out['userIdsAfter page'] = await store.userIdsAfter(s.users[0]?.id, 2);
  out['online'] = await store.onlineUserIds();
  return out;
};
