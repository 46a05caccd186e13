import type { InviteCommand, InviteRateLimit } from '../../src/domain/invite/commands.js';
import type { CancelReason, InviteEvent } from '../../src/domain/invite/events.js';
import { inviteDecider } from '../../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS, withDefaults, type GameOptions } from '../../src/domain/invite/options.js';
import { at, scenario } from './given-when-then.js';

const A = 'alice-id';
const B = 'bob-id';
const C = 'carol-id';
const D = 'dave-id';

const TTL_S = 300; // 5 minutes
const GRACE_S = 30;
const NO_LIMIT: InviteRateLimit = { max: 1000, windowMs: 60_000 };

const board = scenario(inviteDecider);

type SendCommand = Extract<InviteCommand, { kind: 'SendInvitation' }>;

const send = (inviteId: string, inviterId: string, inviteeId: string, atS: number, overrides: Partial<SendCommand> = {}): InviteCommand => ({
  kind: 'SendInvitation',
  inviteId,
  inviterId,
  inviteeId,
  inviteeKnown: true,
  blocked: false,
  options: DEFAULT_GAME_OPTIONS,
  clientId: `client-${inviterId}`,
  at: at(atS),
  ttlMs: TTL_S * 1000,
  rateLimit: NO_LIMIT,
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
const expire = (inviteId: string, atS: number): InviteCommand => ({ kind: 'ExpireInvitation', inviteId, at: at(atS) });
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

describe('invite decider', () => {
  describe('SendInvitation', () => {
    it('sends an invitation expiring after the ttl', () => {
      board
        .given([])
        .when(send('inv-1', A, B, 0))
        .then([sent('inv-1', A, B, 0)]);
    });

    it('carries the options and the client id', () => {
      const options = withDefaults({ game_speed: 'fast', score_to_win: 11, time_limit: 5 });
      board
        .given([])
        .when(send('inv-1', A, B, 0, { options, clientId: 'tab-7' }))
        .then([
          { type: 'InvitationSent', data: { inviteId: 'inv-1', inviterId: A, inviteeId: B, options, clientId: 'tab-7', at: at(0), expiresAt: at(TTL_S) } },
        ]);
    });

    it('refuses inviting oneself', () => {
      board
        .given([])
        .when(send('inv-1', A, A, 0))
        .thenRefused('cannot_invite_self');
    });

    it('refuses an unknown user', () => {
      board
        .given([])
        .when(send('inv-1', A, B, 0, { inviteeKnown: false }))
        .thenRefused('user_not_found');
    });

    it('refuses when either side blocked the other', () => {
      board
        .given([])
        .when(send('inv-1', A, B, 0, { blocked: true }))
        .thenRefused('blocked');
    });

    describe('engaged rule', () => {
      it('inviter with a pending invitation they sent → invitation_pending', () => {
        board
          .given([sent('inv-0', A, C, 0)])
          .when(send('inv-1', A, B, 10))
          .thenRefused('invitation_pending');
      });

      it('inviter with a pending invitation they received → invitation_pending', () => {
        board
          .given([sent('inv-0', C, A, 0)])
          .when(send('inv-1', A, B, 10))
          .thenRefused('invitation_pending');
      });

      it('inviter in an ongoing game → already_in_game', () => {
        board
          .given(gameBetween(A, C, 0))
          .when(send('inv-1', A, B, 10))
          .thenRefused('already_in_game');
      });

      it('invitee with a pending invitation they sent → invitation_pending', () => {
        board
          .given([sent('inv-0', B, C, 0)])
          .when(send('inv-1', A, B, 10))
          .thenRefused('invitation_pending');
      });

      it('invitee with a pending invitation they received → invitation_pending', () => {
        board
          .given([sent('inv-0', C, B, 0)])
          .when(send('inv-1', A, B, 10))
          .thenRefused('invitation_pending');
      });

      it('invitee in an ongoing game → already_in_game', () => {
        board
          .given(gameBetween(B, C, 0))
          .when(send('inv-1', A, B, 10))
          .thenRefused('already_in_game');
      });

      it('inviting the same user twice → invitation_pending', () => {
        board
          .given([sent('inv-0', A, B, 0)])
          .when(send('inv-1', A, B, 10))
          .thenRefused('invitation_pending');
      });

      it('uninvolved users are not engaged', () => {
        board
          .given([...gameBetween(A, B, 0), sent('inv-9', C, D, 0)])
          .when(send('inv-1', 'erin-id', 'frank-id', 10))
          .then([sent('inv-1', 'erin-id', 'frank-id', 10)]);
      });

      it('lapses once the invitation expired by time, before the expiry is recorded', () => {
        board
          .given([sent('inv-0', A, C, 0)])
          .when(send('inv-1', A, B, TTL_S - 1))
          .thenRefused('invitation_pending');
        board
          .given([sent('inv-0', A, C, 0)])
          .when(send('inv-1', A, B, TTL_S))
          .then([sent('inv-1', A, B, TTL_S)]);
        board
          .given([sent('inv-0', C, B, 0)])
          .when(send('inv-1', A, B, TTL_S + 1))
          .then([sent('inv-1', A, B, TTL_S + 1)]);
      });

      it('lapses once the expiry is recorded', () => {
        board
          .given([sent('inv-0', A, C, 0), canceled('inv-0', A, C, 'expired', TTL_S)])
          .when(send('inv-1', A, B, TTL_S))
          .then([sent('inv-1', A, B, TTL_S)]);
      });

      it('lapses once the invitation was declined or canceled', () => {
        board
          .given([sent('inv-0', A, C, 0), declined('inv-0', A, C, 5)])
          .when(send('inv-1', C, A, 10))
          .then([sent('inv-1', C, A, 10)]);
        board
          .given([sent('inv-0', A, C, 0), canceled('inv-0', A, C, 'canceled', 5)])
          .when(send('inv-1', B, C, 10))
          .then([sent('inv-1', B, C, 10)]);
      });

      it('lapses once the game ran out of time (time limit + grace), before GameEnded', () => {
        board
          .given(gameBetween(A, C, 0))
          .when(send('inv-1', A, B, GAME_S - 1))
          .thenRefused('already_in_game');
        board
          .given(gameBetween(A, C, 0))
          .when(send('inv-1', B, C, GAME_S))
          .then([sent('inv-1', B, C, GAME_S)]);
      });

      it('lapses once GameEnded is recorded', () => {
        board
          .given([...gameBetween(A, C, 0), gameEnded('game-0', [A, C], 60)])
          .when(send('inv-1', A, B, 61))
          .then([sent('inv-1', A, B, 61)]);
        board
          .given([...gameBetween(A, C, 0), gameEnded('game-0', [A, C], 60)])
          .when(send('inv-1', B, C, 61))
          .then([sent('inv-1', B, C, 61)]);
      });

      it('a late GameEnded does not release a newer engagement', () => {
        board
          .given([...gameBetween(A, C, 0), sent('inv-1', A, B, GAME_S + 1), gameEnded('game-0', [A, C], GAME_S + 2)])
          .when(send('inv-2', D, A, GAME_S + 3))
          .thenRefused('invitation_pending');
      });

      it('a late expiry does not release a newer engagement', () => {
        const given = [sent('inv-0', A, C, 0), sent('inv-1', A, B, TTL_S + 1), canceled('inv-0', A, C, 'expired', TTL_S + 2)];
        board
          .given(given)
          .when(send('inv-2', D, A, TTL_S + 3))
          .thenRefused('invitation_pending');
        board
          .given(given)
          .when(send('inv-2', D, C, TTL_S + 3))
          .then([sent('inv-2', D, C, TTL_S + 3)]);
      });
    });

    describe('rate limit', () => {
      const limit: InviteRateLimit = { max: 2, windowMs: 60_000 };
      /** An invitation sent and immediately canceled, so only the rate limit can refuse the next. */
      const past = (inviteId: string, inviteeId: string, atS: number): InviteEvent[] => [
        sent(inviteId, A, inviteeId, atS),
        canceled(inviteId, A, inviteeId, 'canceled', atS),
      ];
      const history = [...past('inv-1', B, 0), ...past('inv-2', C, 10)];

      it('allows up to max invitations in the window', () => {
        board
          .given(past('inv-1', B, 0))
          .when(send('inv-2', A, C, 10, { rateLimit: limit }))
          .then([sent('inv-2', A, C, 10)]);
      });

      it('refuses the next one inside the window', () => {
        board
          .given(history)
          .when(send('inv-3', A, D, 30, { rateLimit: limit }))
          .thenRefused('rate_limited');
      });

      it('the window slides: the oldest leaves it, the next is allowed, then refused again', () => {
        board
          .given(history)
          .when(send('inv-3', A, D, 59, { rateLimit: limit }))
          .thenRefused('rate_limited');
        const afterThird = board
          .given(history)
          .when(send('inv-3', A, D, 61, { rateLimit: limit }))
          .then([sent('inv-3', A, D, 61)]);
        board
          .given([...afterThird.events, canceled('inv-3', A, D, 'canceled', 61)])
          .when(send('inv-4', A, B, 65, { rateLimit: limit }))
          .thenRefused('rate_limited');
        board
          .given([...afterThird.events, canceled('inv-3', A, D, 'canceled', 61)])
          .when(send('inv-4', A, B, 71, { rateLimit: limit }))
          .then([sent('inv-4', A, B, 71)]);
      });

      it('counts per sender', () => {
        board
          .given(history)
          .when(send('inv-3', D, C, 30, { rateLimit: limit }))
          .then([sent('inv-3', D, C, 30)]);
      });
    });
  });

  describe('ReplyInvitation', () => {
    it('accept creates a game ending at time_limit minutes + grace', () => {
      const options = withDefaults({ time_limit: 2 });
      board
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
      board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, false, 20))
        .then([declined('inv-1', A, B, 20)]);
    });

    it('only the invitee replies: the inviter replying is refused', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(A, B, true, 20))
        .thenRefused('no_pending_invitation');
      board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(A, B, false, 20))
        .thenRefused('no_pending_invitation');
    });

    it('a third party cannot reply', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(C, A, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('refuses when there is no invitation', () => {
      board
        .given([])
        .when(reply(B, A, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('refuses after the invitation expired', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, true, TTL_S))
        .thenRefused('no_pending_invitation');
      board
        .given([sent('inv-1', A, B, 0), canceled('inv-1', A, B, 'expired', TTL_S)])
        .when(reply(B, A, true, TTL_S))
        .thenRefused('no_pending_invitation');
    });

    it('refuses after it was already answered', () => {
      board
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(reply(B, A, true, 20))
        .thenRefused('no_pending_invitation');
    });

    it('replaying the acceptance engages both players in the game', () => {
      const afterAccept = board
        .given([sent('inv-1', A, B, 0)])
        .when(reply(B, A, true, 20, 'game-1'))
        .then([accepted('inv-1', A, B, 20, 'game-1')]);
      afterAccept.when(reply(B, A, true, 21)).thenRefused('no_pending_invitation');
      afterAccept.when(send('inv-2', A, C, 30)).thenRefused('already_in_game');
      afterAccept.when(send('inv-2', C, B, 30)).thenRefused('already_in_game');
      afterAccept
        .when(endGame('game-1', 100))
        .then([gameEnded('game-1', [A, B], 100)])
        .when(send('inv-2', C, B, 101))
        .then([sent('inv-2', C, B, 101)]);
    });
  });

  describe('CancelInvitation', () => {
    it('the inviter cancels', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, 10))
        .then([canceled('inv-1', A, B, 'canceled', 10)]);
    });

    it('the invitee cannot cancel (no_pending_invitation)', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(B, A, 10))
        .thenRefused('no_pending_invitation');
    });

    it('refuses when there is no invitation, or it expired', () => {
      board
        .given([])
        .when(cancel(A, B, 10))
        .thenRefused('no_pending_invitation');
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, TTL_S + 1))
        .thenRefused('no_pending_invitation');
    });

    it('replaying the cancellation frees both users', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, 10))
        .then([canceled('inv-1', A, B, 'canceled', 10)])
        .when(cancel(A, B, 11))
        .thenRefused('no_pending_invitation');
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancel(A, B, 10))
        .then([canceled('inv-1', A, B, 'canceled', 10)])
        .when(send('inv-2', B, A, 12))
        .then([sent('inv-2', B, A, 12)]);
    });
  });

  describe('ExpireInvitation', () => {
    it('before the expiry time: no events', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(expire('inv-1', TTL_S - 1))
        .thenNothing();
    });

    it('after the expiry time: InvitationCanceled with reason expired', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(expire('inv-1', TTL_S))
        .then([canceled('inv-1', A, B, 'expired', TTL_S)]);
      board
        .given([sent('inv-1', A, B, 0)])
        .when(expire('inv-1', TTL_S + 60))
        .then([canceled('inv-1', A, B, 'expired', TTL_S + 60)]);
    });

    it('an invitation already answered or canceled: no events', () => {
      board
        .given([...gameBetween(A, B, 0)])
        .when(expire('inv-game-0', TTL_S))
        .thenNothing();
      board
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(expire('inv-1', TTL_S))
        .thenNothing();
      board
        .given([sent('inv-1', A, B, 0), canceled('inv-1', A, B, 'canceled', 5)])
        .when(expire('inv-1', TTL_S))
        .thenNothing();
    });

    it('an unknown invitation: no events', () => {
      board.given([]).when(expire('inv-1', TTL_S)).thenNothing();
    });

    it('replaying the expiry makes a second expiry a no-op', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(expire('inv-1', TTL_S))
        .then([canceled('inv-1', A, B, 'expired', TTL_S)])
        .when(expire('inv-1', TTL_S + 1))
        .thenNothing();
    });
  });

  describe('CancelInvitationsOf (inviter disconnected)', () => {
    it("cancels only that inviter's pending invitations", () => {
      board
        .given([sent('inv-1', A, B, 0), sent('inv-2', C, D, 0)])
        .when(cancelAllOf(A, 10))
        .then([canceled('inv-1', A, B, 'inviter_disconnected', 10)]);
    });

    it('leaves invitations the user received', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancelAllOf(B, 10))
        .thenNothing();
    });

    it('no pending invitation: no events', () => {
      board.given([]).when(cancelAllOf(A, 10)).thenNothing();
      board
        .given([sent('inv-1', A, B, 0), declined('inv-1', A, B, 5)])
        .when(cancelAllOf(A, 10))
        .thenNothing();
    });

    it('an invitation already past its expiry is closed as expired, not as a disconnection', () => {
      board
        .given([sent('inv-0', A, C, 0), sent('inv-1', A, B, TTL_S + 1)])
        .when(cancelAllOf(A, TTL_S + 10))
        .then([canceled('inv-0', A, C, 'expired', TTL_S + 10), canceled('inv-1', A, B, 'inviter_disconnected', TTL_S + 10)]);
    });

    it('replaying the cancellations makes a second disconnection a no-op', () => {
      board
        .given([sent('inv-1', A, B, 0)])
        .when(cancelAllOf(A, 10))
        .then([canceled('inv-1', A, B, 'inviter_disconnected', 10)])
        .when(cancelAllOf(A, 11))
        .thenNothing();
    });
  });

  describe('EndGame', () => {
    it('ends a known game', () => {
      board
        .given(gameBetween(A, B, 0))
        .when(endGame('game-0', 60))
        .then([gameEnded('game-0', [A, B], 60)]);
    });

    it('an unknown game: no events', () => {
      board.given([]).when(endGame('game-0', 60)).thenNothing();
    });

    it('replaying GameEnded makes a second EndGame a no-op', () => {
      board
        .given(gameBetween(A, B, 0))
        .when(endGame('game-0', 60))
        .then([gameEnded('game-0', [A, B], 60)])
        .when(endGame('game-0', 61))
        .thenNothing();
    });
  });

  it('replaying InvitationSent engages both sides for later decisions', () => {
    const afterSend = board
      .given([])
      .when(send('inv-1', A, B, 0))
      .then([sent('inv-1', A, B, 0)]);
    afterSend.when(send('inv-2', A, C, 1)).thenRefused('invitation_pending');
    afterSend.when(send('inv-2', C, B, 1)).thenRefused('invitation_pending');
    afterSend.when(reply(B, A, false, 2)).then([declined('inv-1', A, B, 2)]);
  });
});
