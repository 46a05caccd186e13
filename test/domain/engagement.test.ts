import { expect } from 'chai';
import type { EngagementCommand } from '../../src/domain/engagement/commands.js';
import { STALE_FACT, UNCONFIRMED } from '../../src/domain/engagement/decide.js';
import type { PointedInvitation } from '../../src/domain/engagement/engaged.js';
import { engagementDecider } from '../../src/domain/engagement/engagement.js';
import type { EngagementEvent, EngagementRole } from '../../src/domain/engagement/events.js';
import type { InviteRateLimit } from '../../src/domain/engagement/rate-limit.js';
import { RECENT_INVITES_KEPT } from '../../src/domain/engagement/state.js';
import type { InviteEvent } from '../../src/domain/invite/events.js';
import { inviteDecider } from '../../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS } from '../../src/domain/invite/options.js';
import { sendRefusal } from '../../src/domain/invite/send-rules.js';
import { fold } from '../../src/domain/shared/decider.js';
import { at, scenario } from './given-when-then.js';

/**
 * A user's engagement stream (`engagement-{userId}`): the engaged rule, holds, the abandonment
 * fence and the rate limit. The invitation a pointer names comes in on the command as a fact
 * (its own stream's state, folded here from its events).
 */
const A = 'alice-id';
const B = 'bob-id';
const C = 'carol-id';

const TTL_S = 300;
const GRACE_S = 30;
const HOLD_S = 10;
const GAME_S = DEFAULT_GAME_OPTIONS.time_limit * 60 + GRACE_S;
const NO_LIMIT: InviteRateLimit = { max: 1000, windowMs: 60_000 };

const engagement = scenario(engagementDecider);

const reserved = (userId: string, inviteId: string, role: EngagementRole, atS: number, windowMs = NO_LIMIT.windowMs): EngagementEvent => ({
  type: 'EngagementReserved',
  data: { userId, inviteId, role, at: at(atS), holdUntil: at(atS + HOLD_S), ...(role === 'inviter' ? { recentSince: at(atS - windowMs / 1000) } : {}) },
});
const released = (userId: string, inviteId: string, atS: number): EngagementEvent => ({ type: 'EngagementReleased', data: { userId, inviteId, at: at(atS) } });

const reserve = (
  userId: string,
  inviteId: string,
  role: EngagementRole,
  atS: number,
  pointed?: PointedInvitation,
  rateLimit: InviteRateLimit = NO_LIMIT,
): EngagementCommand => ({ kind: 'ReserveEngagement', userId, inviteId, role, at: at(atS), holdMs: HOLD_S * 1000, pointed, rateLimit });
const release = (userId: string, inviteId: string, atS: number): EngagementCommand => ({ kind: 'ReleaseEngagement', userId, inviteId, at: at(atS) });

/** The fact: invitation `inviteId` as its stream's events make it. */
const pointing = (inviteId: string, events: readonly InviteEvent[]): PointedInvitation => ({
  inviteId,
  invitation: fold(inviteDecider.evolve, inviteDecider.initialState, events),
});

const sent = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationSent',
  data: { inviteId, inviterId, inviteeId, options: DEFAULT_GAME_OPTIONS, clientId: 'tab', at: at(atS), expiresAt: at(atS + TTL_S) },
});
const accepted = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationAccepted',
  data: { inviteId, inviterId, inviteeId, gameId: `game-${inviteId}`, options: DEFAULT_GAME_OPTIONS, at: at(atS), endsAt: at(atS + GAME_S) },
});
const declined = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationDeclined',
  data: { inviteId, inviterId, inviteeId, at: at(atS) },
});
const canceled = (inviteId: string, inviterId: string, inviteeId: string, reason: 'canceled' | 'expired', atS: number): InviteEvent => ({
  type: 'InvitationCanceled',
  data: { inviteId, inviterId, inviteeId, reason, clientId: 'tab', at: at(atS) },
});
const gameEnded = (inviteId: string, players: readonly [string, string], atS: number): InviteEvent => ({
  type: 'GameEnded',
  data: { gameId: `game-${inviteId}`, players, at: at(atS) },
});
const abandoned = (inviteId: string, atS: number): InviteEvent => ({ type: 'InvitationAbandoned', data: { inviteId, at: at(atS) } });

describe('engagement decider (one stream per user)', () => {
  describe('refusals that need no engagement', () => {
    const base = { inviterId: A, inviteeId: B, inviteeKnown: true, blocked: false };
    it('refuses inviting oneself, an unknown user, a block either way; in that order', () => {
      expect(sendRefusal({ ...base, inviteeId: A, inviteeKnown: false, blocked: true })?.code).to.equal('cannot_invite_self');
      expect(sendRefusal({ ...base, inviteeKnown: false, blocked: true })?.code).to.equal('user_not_found');
      expect(sendRefusal({ ...base, blocked: true })?.code).to.equal('blocked');
      expect(sendRefusal(base)).to.equal(undefined);
    });
  });

  describe('ReserveEngagement: the engaged rule', () => {
    it('a user nobody engaged is reserved, with a hold', () => {
      engagement
        .given([])
        .when(reserve(A, 'inv-1', 'inviter', 0))
        .then([reserved(A, 'inv-1', 'inviter', 0)]);
      engagement
        .given([])
        .when(reserve(B, 'inv-1', 'invitee', 0))
        .then([reserved(B, 'inv-1', 'invitee', 0)]);
    });

    for (const [mine, label] of [
      ['inviter', 'they sent'],
      ['invitee', 'they received'],
    ] as const) {
      for (const role of ['inviter', 'invitee'] as const) {
        it(`a user with a pending invitation ${label} → invitation_pending, as ${role}`, () => {
          const inv0 = mine === 'inviter' ? sent('inv-0', A, C, 0) : sent('inv-0', C, A, 0);
          engagement
            .given([reserved(A, 'inv-0', mine, 0)])
            .when(reserve(A, 'inv-1', role, 10, pointing('inv-0', [inv0])))
            .thenRefused('invitation_pending');
        });
        it(`a user in an ongoing game (${label} the invitation) → already_in_game, as ${role}`, () => {
          const game = mine === 'inviter' ? [sent('inv-0', A, C, 0), accepted('inv-0', A, C, 0)] : [sent('inv-0', C, A, 0), accepted('inv-0', C, A, 0)];
          engagement
            .given([reserved(A, 'inv-0', mine, 0)])
            .when(reserve(A, 'inv-1', role, 10, pointing('inv-0', game)))
            .thenRefused('already_in_game');
        });
      }
    }

    it('the refusal says whose engagement it is', () => {
      const given = engagement.given([reserved(A, 'inv-0', 'inviter', 0)]);
      const fact = pointing('inv-0', [sent('inv-0', A, C, 0)]);
      expect(given.when(reserve(A, 'inv-1', 'inviter', 10, fact)).thenRefused('invitation_pending').msg).to.match(/^You are/);
      expect(given.when(reserve(A, 'inv-1', 'invitee', 10, fact)).thenRefused('invitation_pending').msg).to.match(/^This user is/);
    });

    it('lapses once the invitation expired by time, before the expiry is recorded', () => {
      const given = engagement.given([reserved(A, 'inv-0', 'inviter', 0)]);
      const fact = pointing('inv-0', [sent('inv-0', A, C, 0)]);
      given.when(reserve(A, 'inv-1', 'inviter', TTL_S - 1, fact)).thenRefused('invitation_pending');
      given.when(reserve(A, 'inv-1', 'inviter', TTL_S, fact)).then([reserved(A, 'inv-1', 'inviter', TTL_S)]);
    });

    it('lapses once the expiry is recorded, or the invitation was declined or canceled', () => {
      const given = engagement.given([reserved(A, 'inv-0', 'inviter', 0)]);
      for (const end of [canceled('inv-0', A, C, 'expired', 5), declined('inv-0', A, C, 5), canceled('inv-0', A, C, 'canceled', 5)]) {
        given.when(reserve(A, 'inv-1', 'invitee', 10, pointing('inv-0', [sent('inv-0', A, C, 0), end]))).then([reserved(A, 'inv-1', 'invitee', 10)]);
      }
    });

    it('lapses once the game ran out of time (time limit + grace), before GameEnded; and once GameEnded is recorded', () => {
      const given = engagement.given([reserved(A, 'inv-0', 'invitee', 0)]);
      const game = [sent('inv-0', C, A, 0), accepted('inv-0', C, A, 0)];
      given.when(reserve(A, 'inv-1', 'inviter', GAME_S - 1, pointing('inv-0', game))).thenRefused('already_in_game');
      given.when(reserve(A, 'inv-1', 'inviter', GAME_S, pointing('inv-0', game))).then([reserved(A, 'inv-1', 'inviter', GAME_S)]);
      given.when(reserve(A, 'inv-1', 'inviter', 61, pointing('inv-0', [...game, gameEnded('inv-0', [C, A], 60)]))).then([reserved(A, 'inv-1', 'inviter', 61)]);
    });

    it('a late end of an older invitation does not release a newer engagement: only the pointed one counts', () => {
      engagement
        .given([reserved(A, 'inv-0', 'inviter', 0), reserved(A, 'inv-1', 'inviter', GAME_S + 1)])
        .when(reserve(A, 'inv-2', 'invitee', GAME_S + 3, pointing('inv-1', [sent('inv-1', A, B, GAME_S + 1)])))
        .thenRefused('invitation_pending');
    });

    it('a fact about another invitation than the pointer names (or none) is stale: refused, to be looked up again', () => {
      const given = engagement.given([reserved(A, 'inv-0', 'inviter', 0), reserved(A, 'inv-1', 'inviter', 20)]);
      given.when(reserve(A, 'inv-2', 'inviter', 30, pointing('inv-0', [sent('inv-0', A, C, 0), declined('inv-0', A, C, 5)]))).thenRefused(STALE_FACT);
      given.when(reserve(A, 'inv-2', 'inviter', 30)).thenRefused(STALE_FACT);
    });

    it('reserving again for the same invitation is a no-op (a retried append)', () => {
      engagement
        .given([reserved(A, 'inv-1', 'inviter', 0)])
        .when(reserve(A, 'inv-1', 'inviter', 1, pointing('inv-1', [])))
        .thenNothing();
    });
  });

  describe('holds and the abandonment fence', () => {
    const given = engagement.given([reserved(A, 'inv-0', 'inviter', 0)]);
    it('an invitation reserved but not (yet) sent engages the user until its hold lapses', () => {
      given.when(reserve(B, 'inv-1', 'inviter', HOLD_S - 1, pointing('inv-0', []))).thenRefused('invitation_pending');
    });

    it('past its hold, unsent, it must be fenced off first: refused as unconfirmed', () => {
      given.when(reserve(B, 'inv-1', 'inviter', HOLD_S, pointing('inv-0', []))).thenRefused(UNCONFIRMED);
    });

    it('once abandoned, it engages nobody', () => {
      given
        .when(reserve(A, 'inv-1', 'invitee', HOLD_S + 1, pointing('inv-0', [abandoned('inv-0', HOLD_S)])))
        .then([reserved(A, 'inv-1', 'invitee', HOLD_S + 1)]);
    });

    it('if the fence lost (the invitation was sent late after all), it counts like any sent invitation', () => {
      given.when(reserve(A, 'inv-1', 'invitee', HOLD_S + 1, pointing('inv-0', [sent('inv-0', A, C, HOLD_S - 1)]))).thenRefused('invitation_pending');
    });
  });

  describe('ReleaseEngagement (compensation)', () => {
    it('releases the reservation it names, and only that one', () => {
      engagement
        .given([reserved(A, 'inv-1', 'inviter', 0)])
        .when(release(A, 'inv-1', 1))
        .then([released(A, 'inv-1', 1)])
        .when(reserve(A, 'inv-2', 'inviter', 2))
        .then([reserved(A, 'inv-2', 'inviter', 2)]);
      engagement
        .given([reserved(A, 'inv-1', 'inviter', 0)])
        .when(release(A, 'inv-0', 1))
        .thenNothing();
      engagement
        .given([])
        .when(release(A, 'inv-0', 1))
        .thenNothing();
    });
  });

  describe('rate limit (the sender’s own stream)', () => {
    const limit: InviteRateLimit = { max: 2, windowMs: 60_000 };
    const over = (inviteId: string) => pointing(inviteId, [sent(inviteId, A, B, 0), declined(inviteId, A, B, 0)]);
    const history = [reserved(A, 'inv-1', 'inviter', 0), reserved(A, 'inv-2', 'inviter', 10)];

    it('allows up to max invitations in the window, then refuses', () => {
      engagement
        .given([reserved(A, 'inv-1', 'inviter', 0)])
        .when(reserve(A, 'inv-2', 'inviter', 10, over('inv-1'), limit))
        .then([reserved(A, 'inv-2', 'inviter', 10)]);
      engagement
        .given(history)
        .when(reserve(A, 'inv-3', 'inviter', 30, over('inv-2'), limit))
        .thenRefused('rate_limited');
    });

    it('the window slides: the oldest leaves it, the next is allowed, then refused again', () => {
      engagement
        .given(history)
        .when(reserve(A, 'inv-3', 'inviter', 59, over('inv-2'), limit))
        .thenRefused('rate_limited');
      const afterThird = engagement
        .given(history)
        .when(reserve(A, 'inv-3', 'inviter', 61, over('inv-2'), limit))
        .then([reserved(A, 'inv-3', 'inviter', 61)]);
      afterThird.when(reserve(A, 'inv-4', 'inviter', 65, over('inv-3'), limit)).thenRefused('rate_limited');
      afterThird.when(reserve(A, 'inv-4', 'inviter', 71, over('inv-3'), limit)).then([reserved(A, 'inv-4', 'inviter', 71)]);
    });

    it('counts sends only: being invited neither counts nor is limited', () => {
      engagement
        .given(history)
        .when(reserve(A, 'inv-3', 'invitee', 30, over('inv-2'), limit))
        .then([reserved(A, 'inv-3', 'invitee', 30)]);
      engagement
        .given([reserved(A, 'inv-1', 'invitee', 0), reserved(A, 'inv-2', 'invitee', 10)])
        .when(reserve(A, 'inv-3', 'inviter', 30, over('inv-2'), limit))
        .then([reserved(A, 'inv-3', 'inviter', 30)]);
    });

    it('a released reservation does not count', () => {
      engagement
        .given([reserved(A, 'inv-1', 'inviter', 0), reserved(A, 'inv-2', 'inviter', 10), released(A, 'inv-2', 10)])
        .when(reserve(A, 'inv-3', 'inviter', 30, undefined, limit))
        .then([reserved(A, 'inv-3', 'inviter', 30)]);
    });

    it('is bounded: a long history keeps at most RECENT_INVITES_KEPT send times', () => {
      const events = Array.from({ length: 500 }, (_, i) => reserved(A, `inv-${i}`, 'inviter', i, 3_600_000));
      const state = engagement.given(events).state();
      expect(state.recentInvites.size).to.equal(RECENT_INVITES_KEPT);
      expect(state.recentInvites.last()?.inviteId).to.equal('inv-499');
    });

    it('expires: send times older than the window at the last send are forgotten', () => {
      const state = engagement.given([...history, reserved(A, 'inv-3', 'inviter', 65)]).state();
      expect(state.recentInvites.map((r) => r.inviteId).toArray()).to.deep.equal(['inv-2', 'inv-3']);
      const later = engagement.given([...history, reserved(A, 'inv-3', 'inviter', 1000)]).state();
      expect(later.recentInvites.map((r) => r.inviteId).toArray()).to.deep.equal(['inv-3']);
    });
  });
});
