import { expect } from 'chai';
import { STALE_FACT, UNCONFIRMED } from '../../src/domain/engagement/decide.js';
import type { PointedInvitation } from '../../src/domain/engagement/engaged.js';
import { engagementDecider } from '../../src/domain/engagement/engagement.js';
import type { EngagementEvent, EngagementRole } from '../../src/domain/engagement/events.js';
import type { InviteRateLimit } from '../../src/domain/engagement/rate-limit.js';
import {
  RESERVE_ATTEMPTS,
  sendInvitationWorkflow,
  type LookedUp,
  type Party,
  type SendInput,
  type SendStep,
} from '../../src/domain/engagement/send-workflow.js';
import type { InviteEvent } from '../../src/domain/invite/events.js';
import { inviteDecider } from '../../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS } from '../../src/domain/invite/options.js';
import { fold } from '../../src/domain/shared/decider.js';
import { refuse, type Refusal } from '../../src/domain/shared/decision.js';
import { at, workflowScenario } from './given-when-then.js';

/**
 * Sending an invitation as a workflow: what has happened so far (look-ups, reservation outcomes,
 * faults) decides the next step. The application only runs the steps (invitations.ts).
 */
const A = 'alice-id';
const B = 'bob-id';
const C = 'carol-id';
const HOLD_S = 10;
const NO_LIMIT: InviteRateLimit = { max: 1000, windowMs: 60_000 };

const send = workflowScenario(sendInvitationWorkflow);

const party = (userId: string, role: EngagementRole): Party => ({ userId, role });

const started = (inviterId: string, inviteeId: string, rateLimit: InviteRateLimit = NO_LIMIT): SendInput => ({
  kind: 'Started',
  inviterId,
  inviteeId,
  at: at(60),
  rateLimit,
});
const lookedUp = (inviter: LookedUp, invitee: LookedUp): SendInput => ({ kind: 'BothLookedUp', inviter, invitee });
const lookedUpAgain = (pointed?: PointedInvitation): SendInput => ({ kind: 'LookedUpAgain', pointed });
const reserved: SendInput = { kind: 'Reserved' };
const refused = (refusal: Refusal): SendInput => ({ kind: 'ReserveRefused', refusal });
const released: SendInput = { kind: 'Released' };
const faulted = (fault: unknown): SendInput => ({ kind: 'Faulted', fault });

const lookUpBoth = (inviterId: string, inviteeId: string): SendStep => ({
  kind: 'LookUpBoth',
  inviter: party(inviterId, 'inviter'),
  invitee: party(inviteeId, 'invitee'),
});
const lookUpAgain = (userId: string, role: EngagementRole): SendStep => ({ kind: 'LookUpAgain', party: party(userId, role) });
const reserve = (userId: string, role: EngagementRole, pointed?: PointedInvitation): SendStep => ({ kind: 'Reserve', party: party(userId, role), pointed });
const release = (userId: string, role: EngagementRole): SendStep => ({ kind: 'Release', party: party(userId, role) });
const sendIt: SendStep = { kind: 'Send' };
const refuseWith = (refusal: Refusal): SendStep => ({ kind: 'Refuse', refusal });
const failWith = (fault: unknown): SendStep => ({ kind: 'Fail', fault });

/** A user whose stream holds `events`, and the invitation their pointer names as its events make it. */
const engaged = (events: readonly EngagementEvent[], pointed?: { inviteId: string; events: readonly InviteEvent[] }): LookedUp => ({
  state: fold(engagementDecider.evolve, engagementDecider.initialState, events),
  pointed:
    pointed === undefined ? undefined : { inviteId: pointed.inviteId, invitation: fold(inviteDecider.evolve, inviteDecider.initialState, pointed.events) },
});
const free: LookedUp = engaged([]);
const reservation = (userId: string, inviteId: string, role: EngagementRole, atS: number): EngagementEvent => ({
  type: 'EngagementReserved',
  data: { userId, inviteId, role, at: at(atS), holdUntil: at(atS + HOLD_S), ...(role === 'inviter' ? { recentSince: at(atS - 60) } : {}) },
});
const sent = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationSent',
  data: { inviteId, inviterId, inviteeId, options: DEFAULT_GAME_OPTIONS, clientId: 'tab', at: at(atS), expiresAt: at(atS + 300) },
});
const accepted = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationAccepted',
  data: { inviteId, inviterId, inviteeId, gameId: `game-${inviteId}`, options: DEFAULT_GAME_OPTIONS, at: at(atS), endsAt: at(atS + 600) },
});
const declined = (inviteId: string, inviterId: string, inviteeId: string, atS: number): InviteEvent => ({
  type: 'InvitationDeclined',
  data: { inviteId, inviterId, inviteeId, at: at(atS) },
});
/** Engaged by a pending invitation (as `role`) sent at 0s. */
const pending = (userId: string, role: EngagementRole): LookedUp =>
  engaged([reservation(userId, 'inv-0', role, 0)], {
    inviteId: 'inv-0',
    events: [role === 'inviter' ? sent('inv-0', userId, C, 0) : sent('inv-0', C, userId, 0)],
  });
/** Pointing at an invitation declined at 1s: engaged by nothing. */
const over = (userId: string, role: EngagementRole): LookedUp => {
  const [inviterId, inviteeId] = role === 'inviter' ? [userId, C] : [C, userId];
  return engaged([reservation(userId, 'inv-0', role, 0)], {
    inviteId: 'inv-0',
    events: [sent('inv-0', inviterId, inviteeId, 0), declined('inv-0', inviterId, inviteeId, 1)],
  });
};
/** In a game accepted at 0s (still running at 60s). */
const inGame = (userId: string): LookedUp =>
  engaged([reservation(userId, 'inv-g', 'invitee', 0)], { inviteId: 'inv-g', events: [sent('inv-g', C, userId, 0), accepted('inv-g', C, userId, 0)] });

const stale = refuse(STALE_FACT, 'The engagement changed meanwhile');
const unconfirmed = refuse(UNCONFIRMED, 'An unconfirmed invitation must be abandoned first');
const taken = refuse('invitation_pending', 'This user is already part of a pending invitation');
const newer: PointedInvitation = { inviteId: 'inv-9', invitation: fold(inviteDecider.evolve, inviteDecider.initialState, [sent('inv-9', C, B, 59)]) };

/** A→B once both are looked up free: waiting on the first reservation (alice's). */
const reservingFirst = () => send.given([started(A, B), lookedUp(free, free)]);
/** A→B with alice held: waiting on bob's reservation. */
const reservingSecond = () => send.given([started(A, B), lookedUp(free, free), reserved]);

describe('send-invitation workflow (reserve both users, then send)', () => {
  describe('both free', () => {
    it('looks both up, reserves them in user-id order, then sends', () => {
      send
        .given([])
        .when(started(A, B))
        .then(lookUpBoth(A, B))
        .when(lookedUp(free, free))
        .then(reserve(A, 'inviter'))
        .when(reserved)
        .then(reserve(B, 'invitee'))
        .when(reserved)
        .then(sendIt);
    });

    it('the order is the users’ ids, not their roles: B→A reserves alice (the invitee) first too', () => {
      send
        .given([started(B, A)])
        .when(lookedUp(free, free))
        .then(reserve(A, 'invitee'))
        .when(reserved)
        .then(reserve(B, 'inviter'))
        .when(reserved)
        .then(sendIt);
    });

    it('each reservation is decided on its user’s looked-up fact', () => {
      const alice = over(A, 'inviter');
      const bob = over(B, 'invitee');
      send
        .given([started(A, B)])
        .when(lookedUp(alice, bob))
        .then(reserve(A, 'inviter', alice.pointed))
        .when(reserved)
        .then(reserve(B, 'invitee', bob.pointed));
    });
  });

  describe('the usual refusals, before anything is reserved', () => {
    it('the inviter’s first: both engaged → the inviter’s refusal', () => {
      const step = send
        .given([started(A, B)])
        .when(lookedUp(pending(A, 'inviter'), inGame(B)))
        .step();
      if (step.kind !== 'Refuse') return expect.fail(`refusal expected, got ${step.kind}`);
      expect(step.refusal.code).to.equal('invitation_pending');
      expect(step.refusal.msg).to.match(/^You are/);
    });

    it('then the invitee’s, with their words', () => {
      const step = send
        .given([started(A, B)])
        .when(lookedUp(free, inGame(B)))
        .step();
      if (step.kind !== 'Refuse') return expect.fail(`refusal expected, got ${step.kind}`);
      expect(step.refusal.code).to.equal('already_in_game');
      expect(step.refusal.msg).to.match(/^This user is/);
    });

    it('the rate limit applies to the inviter only', () => {
      const limit: InviteRateLimit = { max: 1, windowMs: 60_000 };
      const sentOnce = engaged([reservation(A, 'inv-0', 'inviter', 30), { type: 'EngagementReleased', data: { userId: A, inviteId: 'inv-0', at: at(31) } }]);
      // A released reservation does not count; a sent one that ended does.
      const counted = engaged([reservation(A, 'inv-0', 'inviter', 30)], { inviteId: 'inv-0', events: [sent('inv-0', A, C, 30), declined('inv-0', A, C, 31)] });
      send
        .given([started(A, B, limit)])
        .when(lookedUp(sentOnce, free))
        .then(reserve(A, 'inviter'));
      const step = send
        .given([started(A, B, limit)])
        .when(lookedUp(counted, free))
        .step();
      if (step.kind !== 'Refuse') return expect.fail(`refusal expected, got ${step.kind}`);
      expect(step.refusal.code).to.equal('rate_limited');
      const bobCounted = engaged([reservation(B, 'inv-0', 'inviter', 30)], {
        inviteId: 'inv-0',
        events: [sent('inv-0', B, C, 30), declined('inv-0', B, C, 31)],
      });
      send
        .given([started(A, B, limit)])
        .when(lookedUp(free, bobCounted))
        .then(reserve(A, 'inviter'))
        .when(reserved)
        .then(reserve(B, 'invitee', bobCounted.pointed));
    });

    it('a stale or unconfirmed fact is no answer yet: the reservation decides again on it', () => {
      // Stale: bob's pointer names an invitation the look-up did not bring.
      const bobStale: LookedUp = { state: engaged([reservation(B, 'inv-1', 'invitee', 0)]).state, pointed: undefined };
      // Unconfirmed: alice's pointer names an invitation never sent, past its hold.
      const aliceUnconfirmed = engaged([reservation(A, 'inv-2', 'inviter', 0)], { inviteId: 'inv-2', events: [] });
      send
        .given([started(A, B)])
        .when(lookedUp(aliceUnconfirmed, bobStale))
        .then(reserve(A, 'inviter', aliceUnconfirmed.pointed))
        .when(reserved)
        .then(reserve(B, 'invitee', undefined));
    });
  });

  describe('the first reservation', () => {
    it('refused → that refusal, nothing reserved so nothing released', () => {
      reservingFirst().when(refused(taken)).then(refuseWith(taken));
    });

    it('faults → the fault, nothing to release', () => {
      const fault = new Error('store down');
      reservingFirst().when(faulted(fault)).then(failWith(fault));
    });

    it('on a stale or unconfirmed fact: looks that user up again and decides again on the fresh fact', () => {
      reservingFirst()
        .when(refused(stale))
        .then(lookUpAgain(A, 'inviter'))
        .when(lookedUpAgain(newer))
        .then(reserve(A, 'inviter', newer))
        .when(refused(unconfirmed))
        .then(lookUpAgain(A, 'inviter'))
        .when(lookedUpAgain())
        .then(reserve(A, 'inviter'))
        .when(reserved)
        .then(reserve(B, 'invitee'));
    });

    it(`gives up after ${RESERVE_ATTEMPTS} attempts: unavailable (try again)`, () => {
      let run = reservingFirst();
      for (let attempt = 1; attempt < RESERVE_ATTEMPTS; attempt++)
        run = run.when(refused(stale)).then(lookUpAgain(A, 'inviter')).when(lookedUpAgain()).then(reserve(A, 'inviter'));
      run.when(refused(stale)).then(refuseWith(refuse('unavailable', 'Too many invitations at once: try again')));
    });

    it('a fault while looking up again → the fault', () => {
      const fault = new Error('read failed');
      reservingFirst().when(refused(stale)).then(lookUpAgain(A, 'inviter')).when(faulted(fault)).then(failWith(fault));
    });
  });

  describe('the second reservation', () => {
    it('refused → the first is released, then the refusal', () => {
      reservingSecond().when(refused(taken)).then(release(A, 'inviter')).when(released).then(refuseWith(taken));
    });

    it('faults → the first is released, then the fault is thrown', () => {
      const fault = new Error('node died');
      reservingSecond().when(faulted(fault)).then(release(A, 'inviter')).when(released).then(failWith(fault));
    });

    it('faults, and so does the release → the first fault (the hold lapses the reservation anyway)', () => {
      const fault = new Error('node died');
      reservingSecond()
        .when(faulted(fault))
        .then(release(A, 'inviter'))
        .when(faulted(new Error('still down')))
        .then(failWith(fault));
    });

    it('refused, and the release faults → that fault', () => {
      const fault = new Error('release failed');
      reservingSecond().when(refused(taken)).then(release(A, 'inviter')).when(faulted(fault)).then(failWith(fault));
    });

    it('B→A: the first held is alice, the invitee, and she is the one released', () => {
      send
        .given([started(B, A), lookedUp(free, free), reserved])
        .when(refused(taken))
        .then(release(A, 'invitee'));
    });

    it('on a stale fact: looks up again; a fault then still releases the first', () => {
      const fault = new Error('read failed');
      reservingSecond()
        .when(refused(stale))
        .then(lookUpAgain(B, 'invitee'))
        .when(lookedUpAgain(newer))
        .then(reserve(B, 'invitee', newer))
        .when(refused(stale))
        .then(lookUpAgain(B, 'invitee'))
        .when(faulted(fault))
        .then(release(A, 'inviter'))
        .when(released)
        .then(failWith(fault));
    });

    it(`gives up after ${RESERVE_ATTEMPTS} attempts: the first is released, then unavailable`, () => {
      let run = reservingSecond();
      for (let attempt = 1; attempt < RESERVE_ATTEMPTS; attempt++)
        run = run.when(refused(unconfirmed)).then(lookUpAgain(B, 'invitee')).when(lookedUpAgain()).then(reserve(B, 'invitee'));
      run
        .when(refused(unconfirmed))
        .then(release(A, 'inviter'))
        .when(released)
        .then(refuseWith(refuse('unavailable', 'Too many invitations at once: try again')));
    });
  });

  describe('a runner that feeds an input out of turn', () => {
    it('is a fault, not a step', () => {
      for (const [given, input] of [
        [[], reserved],
        [[started(A, B)], reserved],
        [[started(A, B), lookedUp(free, free)], lookedUpAgain()],
        [[started(A, B), lookedUp(free, free), reserved, reserved], reserved],
      ] satisfies [SendInput[], SendInput][]) {
        const step = send.given(given).when(input).step();
        if (step.kind !== 'Fail') return expect.fail(`a fault expected after ${JSON.stringify(given)} then ${input.kind}, got ${step.kind}`);
        expect(step.fault)
          .to.be.an('error')
          .with.property('message')
          .that.matches(/out of turn/);
      }
    });
  });
});
