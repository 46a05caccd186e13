import type { CancelReason } from '../../domain/invite/events.js';
import { isRefusal, ok } from '../../domain/shared/decision.js';
import { erasedMark, send, userGroup, type ProfileView } from '../broadcast/delivery.js';
import type { ActionContext, ActionHandler, ActionResult, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { cancelInvitation, replyInvitation, sendInvitation } from './invitations.js';

const CANCEL_MESSAGES: Readonly<Record<CancelReason, string>> = {
  canceled: 'The invitation was canceled',
  expired: 'The invitation expired',
  inviter_disconnected: 'The inviter left',
};

const taken = (outcome: Awaited<ReturnType<typeof sendInvitation>>): ActionResult => (isRefusal(outcome) ? outcome : ok({ position: outcome.position }));

const gameInvite: ActionHandler<'game_invite'> = async ({ deps, actor, correlationId }, data) =>
  taken(await sendInvitation(deps, actor, { username: data.username, clientId: data.client_id, options: data.options ?? {} }, correlationId));

const reply =
  (accept?: boolean) =>
  async ({ deps, actor, correlationId }: ActionContext, data: { readonly username: string; readonly accept?: boolean }): Promise<ActionResult> =>
    taken(await replyInvitation(deps, actor, { username: data.username, accept: accept ?? data.accept === true }, correlationId));

const cancelGameInvite: ActionHandler<'cancel_game_invite'> = async ({ deps, actor, correlationId }, data) =>
  taken(await cancelInvitation(deps, actor, data.username, correlationId));

const shownAs = (p: ProfileView) => ({ username: p.username, nickname: p.nickname });

/** An answered or withdrawn invitation's notification is read: `notification_read` to every tab of the invitee. */
const invitationRead = (e: { readonly data: { readonly inviteId: string; readonly inviteeId: string } }, position: string) =>
  send(userGroup(e.data.inviteeId), frameOf('notification_read', { ids: [e.data.inviteId] }, position));

/**
 * Pong invitations: sent, answered, canceled, expired (invitations.ts), each with its own stream,
 * reserving both users first (the engaged rule); their deadlines are jobs that reactors schedule
 * (reactors.ts, expire-job.ts, end-game-job.ts).
 */
export const invitations = {
  actions: {
    game_invite: gameInvite,
    reply_game_invite: reply(),
    game_accepted: reply(true),
    game_declined: reply(false),
    cancel_game_invite: cancelGameInvite,
  },
  projections: {
    InvitationSent: (e) => [
      {
        kind: 'AddNotification',
        userId: e.data.inviteeId,
        notificationId: e.data.inviteId,
        action: 'game_invite',
        data: { id: e.data.inviteId, sender_id: e.data.inviterId, options: e.data.options },
        date: e.data.at,
      },
    ],
    // Once answered or withdrawn, the invitee's invitation is no longer news.
    InvitationAccepted: (e) => [{ kind: 'MarkNotificationReadById', notificationId: e.data.inviteId }],
    InvitationDeclined: (e) => [{ kind: 'MarkNotificationReadById', notificationId: e.data.inviteId }],
    InvitationCanceled: (e) => [{ kind: 'MarkNotificationReadById', notificationId: e.data.inviteId }],
  },
  frames: {
    InvitationSent: {
      profiles: (e) => [e.data.inviterId],
      deliveries: (e, { position, profile }) => {
        const inviter = profile(e.data.inviterId);
        return [
          send(
            userGroup(e.data.inviteeId),
            frameOf(
              'game_invite',
              { id: e.data.inviteId, ...shownAs(inviter), avatar: inviter.avatar, options: e.data.options, ...erasedMark(inviter) },
              position,
            ),
          ),
        ];
      },
    },
    InvitationAccepted: {
      profiles: (e) => [e.data.inviterId, e.data.inviteeId],
      deliveries: (e, { position, profile }) => {
        const [inviter, invitee] = [profile(e.data.inviterId), profile(e.data.inviteeId)];
        const accepted = (p: ProfileView) => frameOf('game_accepted', { game_id: e.data.gameId, ...shownAs(p), avatar: p.avatar }, position);
        const found = (opponent: ProfileView) =>
          frameOf('game_found', { game_id: e.data.gameId, opponent: opponent.username, options: e.data.options }, position);
        return [
          send(userGroup(e.data.inviterId), accepted(invitee)),
          send(userGroup(e.data.inviteeId), accepted(inviter)),
          send(userGroup(e.data.inviterId), found(invitee)),
          send(userGroup(e.data.inviteeId), found(inviter)),
          invitationRead(e, position),
        ];
      },
    },
    InvitationDeclined: {
      profiles: (e) => [e.data.inviteeId],
      deliveries: (e, { position, profile }) => [
        send(userGroup(e.data.inviterId), frameOf('game_declined', shownAs(profile(e.data.inviteeId)), position)),
        invitationRead(e, position),
      ],
    },
    InvitationCanceled: {
      profiles: (e) => [e.data.inviterId, e.data.inviteeId],
      deliveries: (e, { position, profile }) => {
        const message = CANCEL_MESSAGES[e.data.reason];
        const canceled = (other: ProfileView) => frameOf('game_invite_canceled', { ...shownAs(other), message, client_id: e.data.clientId }, position);
        return [
          send(userGroup(e.data.inviteeId), canceled(profile(e.data.inviterId))),
          send(userGroup(e.data.inviterId), canceled(profile(e.data.inviteeId))),
          invitationRead(e, position),
        ];
      },
    },
  },
  describe: {
    InvitationSent: (e, u) => `${u(e.data.inviterId)} invited ${u(e.data.inviteeId)} to a game (${JSON.stringify(e.data.options)})`,
    InvitationAccepted: (e, u) => `${u(e.data.inviteeId)} accepted ${u(e.data.inviterId)}'s invitation: game ${e.data.gameId}`,
    InvitationDeclined: (e, u) => `${u(e.data.inviteeId)} declined ${u(e.data.inviterId)}'s invitation`,
    InvitationCanceled: (e, u) => `${u(e.data.inviterId)}'s invitation to ${u(e.data.inviteeId)} was withdrawn (${e.data.reason})`,
    GameEnded: (e, u) => `game ${e.data.gameId} between ${u(e.data.players[0])} and ${u(e.data.players[1])} ended`,
    InvitationAbandoned: (e) => `invitation ${e.data.inviteId} was abandoned before it was sent`,
    EngagementReserved: (e, u) => `${u(e.data.userId)} was reserved as ${e.data.role} of invitation ${e.data.inviteId}`,
    EngagementReleased: (e, u) => `${u(e.data.userId)}'s reservation for invitation ${e.data.inviteId} was released`,
  },
} satisfies Feature;
