import { expect } from 'chai';
import { EVERYONE_ONLINE, NO_BLOCKS, type BlockedView, type Delivery, type ProfileView } from '../../src/application/broadcast/delivery.js';
import { deliveriesOf, profilesOf } from '../../src/application/features.js';
import type { AnyDomainEvent, EventType } from '../../src/domain/events.js';
import { AT, CHAT, CLIENT, GAME, INVITE, MSG, OPTIONS, POS, samples, TOURNAMENT } from '../support/event-samples.js';

const profile = (userId: string): ProfileView => ({ userId, username: `${userId}-name`, nickname: `${userId} Nick`, avatar: `https://img/${userId}.png` });

const send = (group: string, action: string, data: Record<string, unknown>, exceptUserIds?: readonly string[]): Delivery =>
  ({ kind: 'send', group, frame: { action, data, position: POS }, ...(exceptUserIds === undefined ? {} : { exceptUserIds }) }) as Delivery;

/** Deliveries of `e`, with a profile lookup that only answers the ids `profilesNeeded` announced. */
const deliveries = (e: AnyDomainEvent, blocked: BlockedView = NO_BLOCKS): readonly Delivery[] => {
  const needed = new Set(profilesOf(e));
  const lookup = (userId: string): ProfileView => {
    expect(needed.has(userId), `${e.type} looked up ${userId} without announcing it in its frame rule's profiles`).to.equal(true);
    return profile(userId);
  };
  return deliveriesOf(e, { position: POS, profile: lookup, presenceAudience: EVERYONE_ONLINE, blocked, erased: false });
};

describe('deliveriesOf: the frames of each event (pure)', () => {
  it('ChatCreated: both members join the chat group, and each user group gets join_chat', () => {
    expect(deliveries(samples.ChatCreated)).to.deep.equal([
      { kind: 'join', userId: 'alice', group: `chat_${CHAT}` },
      { kind: 'join', userId: 'bob', group: `chat_${CHAT}` },
      send('user_alice', 'join_chat', { chat_id: CHAT }),
      send('user_bob', 'join_chat', { chat_id: CHAT }),
    ]);
  });

  it('MessageSent: new_message to the chat group, with the sender’s username and the client timestamp', () => {
    expect(deliveries(samples.MessageSent)).to.deep.equal([
      send(`chat_${CHAT}`, 'new_message', {
        chat_id: CHAT,
        id: MSG,
        content: 'Hello!',
        date: AT,
        sender: 'alice-name',
        is_read: false,
        is_liked: false,
        timestamp: '2025-07-28T08:59:59Z',
      }),
    ]);
  });

  it('MessageLiked / MessageUnliked: chat_like_update to the chat group', () => {
    expect(deliveries(samples.MessageLiked)).to.deep.equal([send(`chat_${CHAT}`, 'chat_like_update', { chat_id: CHAT, id: MSG, is_liked: true })]);
    expect(deliveries(samples.MessageUnliked)).to.deep.equal([send(`chat_${CHAT}`, 'chat_like_update', { chat_id: CHAT, id: MSG, is_liked: false })]);
  });

  it('RoomAnnounced: room_created to the chat group', () => {
    expect(deliveries(samples.RoomAnnounced)).to.deep.equal([send(`chat_${CHAT}`, 'room_created', { chat_id: CHAT })]);
  });

  it('InvitationSent: game_invite to the invitee with the inviter’s profile and the full options', () => {
    expect(deliveries(samples.InvitationSent)).to.deep.equal([
      send('user_bob', 'game_invite', { id: INVITE, username: 'alice-name', nickname: 'alice Nick', avatar: 'https://img/alice.png', options: OPTIONS }),
    ]);
  });

  it('InvitationAccepted: game_accepted to both (the other’s profile), then game_found to both', () => {
    const accepted = (p: string) => ({ game_id: GAME, username: `${p}-name`, nickname: `${p} Nick`, avatar: `https://img/${p}.png` });
    expect(deliveries(samples.InvitationAccepted)).to.deep.equal([
      send('user_alice', 'game_accepted', accepted('bob')),
      send('user_bob', 'game_accepted', accepted('alice')),
      send('user_alice', 'game_found', { game_id: GAME, opponent: 'bob-name', options: OPTIONS }),
      send('user_bob', 'game_found', { game_id: GAME, opponent: 'alice-name', options: OPTIONS }),
      send('user_bob', 'notification_read', { ids: [INVITE] }),
    ]);
  });

  it('InvitationDeclined: game_declined to the inviter, notification_read of the invitation to the invitee', () => {
    expect(deliveries(samples.InvitationDeclined)).to.deep.equal([
      send('user_alice', 'game_declined', { username: 'bob-name', nickname: 'bob Nick' }),
      send('user_bob', 'notification_read', { ids: [INVITE] }),
    ]);
  });

  it('InvitationCanceled: game_invite_canceled to both, naming the other side, echoing client_id, a message per reason; notification_read to the invitee', () => {
    const messages = new Set<unknown>();
    for (const reason of ['canceled', 'expired', 'inviter_disconnected'] as const) {
      const out = deliveries({ type: 'InvitationCanceled', data: { ...samples.InvitationCanceled.data, reason } });
      expect(out).to.have.length(3);
      const [toInvitee, toInviter] = out as [Extract<Delivery, { kind: 'send' }>, Extract<Delivery, { kind: 'send' }>];
      const message = toInvitee.frame.action === 'game_invite_canceled' ? toInvitee.frame.data.message : undefined;
      expect(message).to.be.a('string').and.not.equal('');
      messages.add(message);
      expect(out).to.deep.equal([
        send('user_bob', 'game_invite_canceled', { username: 'alice-name', nickname: 'alice Nick', message, client_id: CLIENT }),
        send('user_alice', 'game_invite_canceled', { username: 'bob-name', nickname: 'bob Nick', message, client_id: CLIENT }),
        send('user_bob', 'notification_read', { ids: [INVITE] }),
      ]);
      expect(toInviter.frame.action === 'game_invite_canceled' && toInviter.frame.data.message).to.equal(message);
    }
    expect(messages.size, 'each reason has its own message').to.equal(3);
  });

  it('UserWentOnline / UserWentOffline: user_online / user_offline to online_users', () => {
    expect(deliveries(samples.UserWentOnline)).to.deep.equal([send('online_users', 'user_online', { username: 'alice-name' })]);
    expect(deliveries(samples.UserWentOffline)).to.deep.equal([send('online_users', 'user_offline', { username: 'alice-name' })]);
    for (const reason of ['logout', 'inactive', 'node_lost'] as const) {
      expect(deliveries({ type: 'UserWentOffline', data: { userId: 'alice', reason, at: AT } })).to.deep.equal([
        send('online_users', 'user_offline', { username: 'alice-name' }),
      ]);
    }
  });

  it('FriendAdded: new_friend to the receiver with the sender’s username and nickname', () => {
    expect(deliveries(samples.FriendAdded)).to.deep.equal([send('user_bob', 'new_friend', { username: 'alice-name', nickname: 'alice Nick' })]);
  });

  it('TournamentAnnounced: new_tournament to online_users except the organizer and the users it excludes (blocks)', () => {
    expect(deliveries(samples.TournamentAnnounced)).to.deep.equal([
      send('online_users', 'new_tournament', { tournament_id: TOURNAMENT, tournament_name: 'Spring Cup', creator: 'alice-name' }, ['alice', 'bob']),
    ]);
  });

  it('EphemeralNotificationSent: notification to the sender’s own user group only', () => {
    expect(deliveries(samples.EphemeralNotificationSent)).to.deep.equal([send('user_alice', 'notification', { message: 'Saved', type: 'info' })]);
  });

  it('MessagesRead: chat_read_update to the chat group, with the reader’s username and the message it named', () => {
    expect(deliveries(samples.MessagesRead)).to.deep.equal([send(`chat_${CHAT}`, 'chat_read_update', { chat_id: CHAT, id: MSG, username: 'bob-name' })]);
  });

  it('UserBlocked / UserUnblocked: block_update to both users, each from its own side, the other direction from the block graph', () => {
    const update = (username: string, mine: boolean, theirs: boolean) => ({ username, is_blocked_user: mine, is_blocked_by_user: theirs });
    expect(deliveries(samples.UserBlocked)).to.deep.equal([
      send('user_alice', 'block_update', update('bob-name', true, false)),
      send('user_bob', 'block_update', update('alice-name', false, true)),
    ]);
    // Bob had blocked Alice: each side sees both flags. The graph is asked only about the other direction.
    const bobBlockedAlice: BlockedView = (blocker, blocked) => {
      expect([blocker, blocked], 'the direction the event does not give').to.deep.equal(['bob', 'alice']);
      return true;
    };
    expect(deliveries(samples.UserBlocked, bobBlockedAlice)).to.deep.equal([
      send('user_alice', 'block_update', update('bob-name', true, true)),
      send('user_bob', 'block_update', update('alice-name', true, true)),
    ]);
    expect(deliveries(samples.UserUnblocked, bobBlockedAlice)).to.deep.equal([
      send('user_alice', 'block_update', update('bob-name', false, true)),
      send('user_bob', 'block_update', update('alice-name', true, false)),
    ]);
    expect(deliveries(samples.UserUnblocked)).to.deep.equal([
      send('user_alice', 'block_update', update('bob-name', false, false)),
      send('user_bob', 'block_update', update('alice-name', false, false)),
    ]);
  });

  it('NotificationRead / NotificationsMarkedRead: notification_read with the ids to the owner’s user group', () => {
    expect(deliveries(samples.NotificationRead)).to.deep.equal([send('user_alice', 'notification_read', { ids: [MSG] })]);
    expect(deliveries(samples.NotificationsMarkedRead)).to.deep.equal([send('user_alice', 'notification_read', { ids: [MSG, INVITE] })]);
  });

  const silent: EventType[] = [
    'UserRegistered',
    'UserProfileUpdated',
    'UsernameClaimed',
    'GameEnded',
    'InvitationAbandoned',
    'EngagementReserved',
    'EngagementReleased',
    'ConnectionOpened',
    'ConnectionClosed',
    'ActivityRecorded',
    'AllNotificationsRead',
  ];
  for (const type of silent) {
    it(`${type}: no frame`, () => {
      expect(deliveries(samples[type])).to.deep.equal([]);
    });
  }

  it('every frame carries the event position as given, and only the actions of PROTOCOL.md', () => {
    const protocolActions = new Set([
      'new_message',
      'chat_like_update',
      'game_invite',
      'game_accepted',
      'game_found',
      'game_declined',
      'game_invite_canceled',
      'new_friend',
      'new_tournament',
      'notification',
      'user_online',
      'user_offline',
      'join_chat',
      'room_created',
      'chat_read_update',
      'block_update',
      'notification_read',
    ]);
    for (const e of Object.values(samples)) {
      for (const d of deliveriesOf(e, { position: '7-5', profile: profile, presenceAudience: EVERYONE_ONLINE, blocked: NO_BLOCKS, erased: false })) {
        if (d.kind !== 'send') continue;
        expect(d.frame.position, e.type).to.equal('7-5');
        expect(protocolActions.has(d.frame.action), `${e.type} → ${d.frame.action}`).to.equal(true);
      }
    }
  });

  it('an unknown user falls back to its id (the caller’s lookup decides), never throws', () => {
    const fallback = (userId: string): ProfileView => ({ userId, username: userId, nickname: userId, avatar: '' });
    expect(
      deliveriesOf(samples.FriendAdded, { position: POS, profile: fallback, presenceAudience: EVERYONE_ONLINE, blocked: NO_BLOCKS, erased: false }),
    ).to.deep.equal([send('user_bob', 'new_friend', { username: 'alice', nickname: 'alice' })]);
  });
});
