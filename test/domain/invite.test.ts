import type { InviteCommand } from '../../src/domain/invite/commands.js';
import type { CancelReason, InviteEvent } from '../../src/domain/invite/events.js';
import { inviteDecider } from '../../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS, withDefaults, type GameOptions } from '../../src/domain/invite/options.js';
import { at, scenario } from './given-when-then.js';

/**
 * One invitation's stream (`invite-{id}`). The engaged rule, the rate limit and the refusals
 * that need no invitation are in engagement.test.ts; here, what happens to one invitation.
 */
const A = 'alice-id';
const B = 'bob-id';
const C = 'carol-id';

const TTL_S = 300; // 5 minutes
const GRACE_S = 30;

const invitation = scenario(inviteDecider);

type SendCommand = Extract<InviteCommand, { kind: 'SendInvitation' }>;

const send = (inviteId: string, inviterId: string, inviteeId: string, atS: number, overrides: Partial<SendCommand> = {}): InviteCommand => ({
  kind: 'SendInvitation',
  inviteId,
  inviterId,
  inviteeId,
  options: DEFAULT_GAME_OPTIONS,
  clientId: `client-${inviterId}`,
  at: at(atS),
  ttlMs: TTL_S * 1000,
  ...overrides,
});
const sent = (inviteId: string, inviterId: string, inviteeId: string, atS: number, options: GameOptions = DEFAULT_GAME_OPTIONS): InviteEvent => ({
  type: 'InvitationSent',
  data: { inviteId, inviterId, inviteeId, options, clientId: `client-${inviterId}`, at: at(atS), expiresAt: at(atS + TTL_S) },
});

const reply = (inviteeId: string, inviterId: string, accept: boolean, atS: number, gameId = 'game-1'): InviteCommand => ({
  kind: 'ReplyInvitation',
  inviteeId,
  inviterId,
  accept,
  gameId,
  at: at(atS),
  gameGraceMs: GRACE_S * 1000,
});

const accepted = (
  inviteId: string,
  inviterId: string,
  inviteeId: string,
  atS: number,
  gameId = 'game-1',
  options: GameOptions = DEFAULT_GAME_OPTIONS,
): InviteEvent => ({
  type: 'InvitationAccepted',
  data: { inviteId, inviterId, inviteeId, gameId, options, at: at(atS), endsAt: at(atS + options.time_limit * 60 + GRACE_S) },
});

const declined = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationDeclined',
  data: { inviteId, inviterId, inviteeId, at: at(atS) },
});

const canceled = (inviteId: string, inviterId: string, inviteeId: string, reason: CancelReason, atS: number): InviteEvent => ({
  type: 'InvitationCanceled',
  data: { inviteId, inviterId, inviteeId, reason, clientId: `client-${inviterId}`, at: at(atS) },
});

const cancel = (inviterId: string, inviteeId: string, atS: number): InviteCommand => ({ kind: 'CancelInvitation', inviterId, inviteeId, at: at(atS) });
const expire = (atS: number): InviteCommand => ({ kind: 'ExpireInvitation', at: at(atS) });
const abandon = (inviteId: string, atS: number): InviteCommand => ({ kind: 'AbandonInvitation', inviteId, at: at(atS) });
const abandoned = (inviteId: string, atS: number): InviteEvent => ({ type: 'InvitationAbandoned', data: { inviteId, at: at(atS) } });
const cancelAllOf = (inviterId: string, atS: number): InviteCommand => ({ kind: 'CancelInvitationsOf', inviterId, at: at(atS) });
const endGame = (gameId: string, atS: number): InviteCommand => ({ kind: 'EndGame', gameId, at: at(atS) });
const gameEnded = (gameId: string, players: readonly [string, string], atS: number): InviteEvent => ({
  type: 'GameEnded',
  data: { gameId, players, at: at(atS) },
});

/** A game between `x` and `y` accepted at `atS` (time_limit 3 min + 30 s grace: ends at atS + 210). */
const gameBetween = (x: string, y: string, atS: number, gameId = 'game-0'): InviteEvent[] => [
  sent(`inv-${gameId}`, x, y, atS),
  accepted(`inv-${gameId}`, x, y, atS, gameId),
];
const GAME_S = DEFAULT_GAME_OPTIONS.time_limit * 60 + GRACE_S;

describe('invitation decider (one stream per invitation)', () => {
  describe('SendInvitation', () => {
    it('sends an invitation expiring after the ttl', () => {
      invitation
        .given([])
        .when(send('inv-1', A, B, 0))
        .then([sent('inv-1', A, B, 0)]);
    });

    it('carries the options and the client id', () => {
      const options = withDefaults({ game_speed: 'fast', score_to_win: 11, time_limit: 5 });
      invitation
        .given([])
        .when(send('inv-1', A, B, 0, { options, clientId: 'tab-7' }))
        .then([
          { type: 'InvitationSent', data: { inviteId: 'inv-1', inviterId: A, inviteeId: B, options, clientId: 'tab-7', at: at(0), expiresAt: at(TTL_S) } },
        ]);
    });

    it('only on a new stream: a stream fenced off by InvitationAbandoned (or sent already) refuses, to be retried', () => {
      invitation
        .given([abandoned('inv-1', 20)])
        .when(send('inv-1', A, B, 0))
        .thenRefused('unavailable');
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(send('inv-1', A, B, 1))
        .thenRefused('unavailable');
    });
  });

  describe('AbandonInvitation (the fence on a reservation whose invitation was never sent)', () => {
    it('abandons an invitation that was never sent', () => {
      invitation
        .given([])
        .when(abandon('inv-1', 20))
        .then([abandoned('inv-1', 20)])
        .when(abandon('inv-1', 21))
        .thenNothing();
    });

    it('abandons nothing that was sent: pending, in game or over', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(abandon('inv-1', 20))
        .thenNothing();
      invitation
        .given(gameBetween(A, B, 0))
        .when(abandon('inv-game-0', 20))
        .thenNothing();
      invitation
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(abandon('inv-1', 20))
        .thenNothing();
    });

    it('an abandoned invitation cannot be answered, canceled or expired', () => {
      const given = invitation.given([abandoned('inv-1', 20)]);
      given.when(reply(B, A, true, 21)).thenRefused('no_pending_invitation');
      given.when(cancel(A, B, 21)).thenRefused('no_pending_invitation');
      given.when(expire(TTL_S + 30)).thenNothing();
      given.when(cancelAllOf(A, 21)).thenNothing();
    });
  });

  describe('ReplyInvitation', () => {
    it('accept creates a game ending at time_limit minutes + grace', () => {
      const options = withDefaults({ time_limit: 2 });
      invitation
        .given([sent('inv-1', A, B, 0, options)])
        .when(reply(B, A, true, 20, 'game-42'))
        .then([
          {
            type: 'InvitationAccepted',
            data: { inviteId: 'inv-1', inviterId: A, inviteeId: B, gameId: 'game-42', options, at: at(20), endsAt: at(20 + 2 * 60 + GRACE_S) },
          },
        ]);
    });

    it('decline emits InvitationDeclined', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, false, 20))
        .then([declined('inv-1', A, B, 20)]);
    });

    it('only the invitee replies: the inviter replying is refused', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(A, B, true, 20))
        .thenRefused('no_pending_invitation');
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(A, B, false, 20))
        .thenRefused('no_pending_invitation');
    });

    it('a third party cannot reply, nor the invitee naming another inviter', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(C, A, true, 20))
        .thenRefused('no_pending_invitation');
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, C, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('refuses when there is no invitation', () => {
      invitation
        .given([])
        .when(reply(B, A, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('refuses after the invitation expired', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, true, TTL_S))
        .thenRefused('no_pending_invitation');
      invitation
        .given([sent('inv-1', A, B, 0), canceled('inv-1', A, B, 'expired', TTL_S)])
        .when(reply(B, A, true, TTL_S))
        .thenRefused('no_pending_invitation');
    });

    it('refuses after it was already answered', () => {
      invitation
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(reply(B, A, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('replaying the acceptance leaves a game to end, and nothing to answer', () => {
      const afterAccept = invitation
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, true, 20, 'game-1'))
        .then([accepted('inv-1', A, B, 20, 'game-1')]);
      afterAccept.when(reply(B, A, true, 21)).thenRefused('no_pending_invitation');
      afterAccept.when(cancel(A, B, 21)).thenRefused('no_pending_invitation');
      afterAccept.when(expire(TTL_S)).thenNothing();
      afterAccept
        .when(endGame('game-1', 100))
        .then([gameEnded('game-1', [A, B], 100)])
        .when(endGame('game-1', 101))
        .thenNothing();
    });
  });

  describe('CancelInvitation', () => {
    it('the inviter cancels', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, 10))
        .then([canceled('inv-1', A, B, 'canceled', 10)]);
    });

    it('the invitee cannot cancel, nor the inviter naming someone else (no_pending_invitation)', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(B, A, 10))
        .thenRefused('no_pending_invitation');
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, C, 10))
        .thenRefused('no_pending_invitation');
    });

    it('refuses when there is no invitation, or it expired', () => {
      invitation
        .given([])
        .when(cancel(A, B, 10))
        .thenRefused('no_pending_invitation');
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, TTL_S + 1))
        .thenRefused('no_pending_invitation');
    });

    it('replaying the cancellation makes a second one refused', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, 10))
        .then([canceled('inv-1', A, B, 'canceled', 10)])
        .when(cancel(A, B, 11))
        .thenRefused('no_pending_invitation');
    });
  });

  describe('ExpireInvitation', () => {
    it('before the expiry time: no events', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(expire(TTL_S - 1))
        .thenNothing();
    });

    it('after the expiry time: InvitationCanceled with reason expired', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(expire(TTL_S))
        .then([canceled('inv-1', A, B, 'expired', TTL_S)]);
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(expire(TTL_S + 60))
        .then([canceled('inv-1', A, B, 'expired', TTL_S + 60)]);
    });

    it('an invitation already answered or canceled: no events', () => {
      invitation
        .given([...gameBetween(A, B, 0)])
        .when(expire(TTL_S))
        .thenNothing();
      invitation
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(expire(TTL_S))
        .thenNothing();
      invitation
        .given([sent('inv-1', A, B, 0), canceled('inv-1', A, B, 'canceled', 5)])
        .when(expire(TTL_S))
        .thenNothing();
    });

    it('an unknown invitation: no events', () => {
      invitation.given([]).when(expire(TTL_S)).thenNothing();
    });

    it('replaying the expiry makes a second expiry a no-op', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(expire(TTL_S))
        .then([canceled('inv-1', A, B, 'expired', TTL_S)])
        .when(expire(TTL_S + 1))
        .thenNothing();
    });
  });

  describe('CancelInvitationsOf (inviter disconnected)', () => {
    it("cancels the inviter's pending invitation", () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancelAllOf(A, 10))
        .then([canceled('inv-1', A, B, 'inviter_disconnected', 10)]);
    });

    it('leaves an invitation the user received', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancelAllOf(B, 10))
        .thenNothing();
    });

    it('no pending invitation: no events', () => {
      invitation.given([]).when(cancelAllOf(A, 10)).thenNothing();
      invitation
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(cancelAllOf(A, 10))
        .thenNothing();
    });

    it('an invitation already past its expiry is closed as expired, not as a disconnection', () => {
      invitation
        .given([sent('inv-0', A, C, 0)])
        .when(cancelAllOf(A, TTL_S + 10))
        .then([canceled('inv-0', A, C, 'expired', TTL_S + 10)]);
    });

    it('replaying the cancellation makes a second disconnection a no-op', () => {
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(cancelAllOf(A, 10))
        .then([canceled('inv-1', A, B, 'inviter_disconnected', 10)])
        .when(cancelAllOf(A, 11))
        .thenNothing();
    });
  });

  describe('EndGame', () => {
    it('ends the game', () => {
      invitation
        .given(gameBetween(A, B, 0))
        .when(endGame('game-0', 60))
        .then([gameEnded('game-0', [A, B], 60)]);
    });

    it('another game id, or no game: no events', () => {
      invitation
        .given(gameBetween(A, B, 0))
        .when(endGame('game-9', 60))
        .thenNothing();
      invitation.given([]).when(endGame('game-0', 60)).thenNothing();
      invitation
        .given([sent('inv-1', A, B, 0)])
        .when(endGame('game-0', 60))
        .thenNothing();
    });

    it('replaying GameEnded makes a second EndGame a no-op', () => {
      invitation
        .given(gameBetween(A, B, 0))
        .when(endGame('game-0', 60))
        .then([gameEnded('game-0', [A, B], 60)])
        .when(endGame('game-0', GAME_S + 1))
        .thenNothing();
    });
  });
});
