import { refuse, type Refusal } from '../shared/decision.js';
import type { Workflow } from '../shared/workflow.js';
import { engagementRefusal, STALE_FACT, UNCONFIRMED } from './decide.js';
import type { PointedInvitation } from './engaged.js';
import type { EngagementRole } from './events.js';
import type { InviteRateLimit } from './rate-limit.js';
import type { Engagement } from './state.js';

/**
 * Sending an invitation: a two-phase reservation of both users' engagement streams, then
 * InvitationSent on the new invitation's stream. One step at a time: look both users up (the
 * usual refusals, inviter first, cost no append), reserve them in user-id order (so A→B and
 * B→A racing meet on the same first stream), give the first back if the second is refused or
 * faults, and send once both are held. A stale or unconfirmed fact is looked up again and the
 * reservation decided again, a bounded number of times.
 */

/** Reservations retried on a changed pointer: each retry means another invitation won the user. */
export const RESERVE_ATTEMPTS = 5;

export interface Party {
  readonly userId: string;
  readonly role: EngagementRole;
}

/** A user's engagement as read, with the invitation its pointer names (fenced first if it was unconfirmed). */
export interface LookedUp {
  readonly state: Engagement;
  readonly pointed: PointedInvitation | undefined;
}

/** What the last step came to; each input answers the step before it. */
export type SendInput =
  | { readonly kind: 'Started'; readonly inviterId: string; readonly inviteeId: string; readonly at: string; readonly rateLimit: InviteRateLimit }
  | { readonly kind: 'BothLookedUp'; readonly inviter: LookedUp; readonly invitee: LookedUp }
  | { readonly kind: 'LookedUpAgain'; readonly pointed: PointedInvitation | undefined }
  | { readonly kind: 'Reserved' }
  | { readonly kind: 'ReserveRefused'; readonly refusal: Refusal }
  | { readonly kind: 'Released' }
  /** The step threw: a real fault (a store down, a node dying), not a decision. */
  | { readonly kind: 'Faulted'; readonly fault: unknown };

/** A step the application runs against the aggregates, answering with an input. */
export type SendAction =
  | { readonly kind: 'LookUpBoth'; readonly inviter: Party; readonly invitee: Party }
  | { readonly kind: 'LookUpAgain'; readonly party: Party }
  | { readonly kind: 'Reserve'; readonly party: Party; readonly pointed: PointedInvitation | undefined }
  | { readonly kind: 'Release'; readonly party: Party };

/** How it stops short: answer with a refusal, or throw the fault. */
export type SendStop = { readonly kind: 'Refuse'; readonly refusal: Refusal } | { readonly kind: 'Fail'; readonly fault: unknown };

/** How it ends: append InvitationSent, or stop short. */
export type SendEnding = { readonly kind: 'Send' } | SendStop;

export type SendStep = SendAction | SendEnding;

interface Ordered {
  readonly party: Party;
  /** The pointed invitation as first looked up: the fact its first reservation attempt is decided on. */
  readonly looked: PointedInvitation | undefined;
}

/** The one global order of reservations: the lower user id first. */
interface Order {
  readonly first: Ordered;
  readonly second: Ordered;
}

type Turn = keyof Order;

type Underway =
  | { readonly phase: 'lookingUp'; readonly inviter: Party; readonly invitee: Party; readonly at: string; readonly rateLimit: InviteRateLimit }
  | { readonly phase: 'reserving'; readonly order: Order; readonly turn: Turn; readonly attempt: number; readonly pointed: PointedInvitation | undefined }
  | { readonly phase: 'lookingUpAgain'; readonly order: Order; readonly turn: Turn; readonly attempt: number }
  | { readonly phase: 'releasing'; readonly party: Party; readonly then: SendStop }
  | { readonly phase: 'over'; readonly ending: SendEnding };

export type SendState = { readonly phase: 'idle' } | Underway;

const over = (ending: SendEnding): Underway => ({ phase: 'over', ending });
const fail = (fault: unknown): SendStop => ({ kind: 'Fail', fault });
const refusing = (refusal: Refusal): SendStop => ({ kind: 'Refuse', refusal });

/** An input that does not answer the state's step: the runner is broken, a real fault. */
const outOfTurn = (s: SendState, i: SendInput): Underway => over(fail(new Error(`send-invitation workflow: ${i.kind} out of turn (${s.phase})`)));

/** Stale and unconfirmed facts are not answers: the reservation looks up and decides again. */
const decidesAgain = (r: Refusal): boolean => r.code === STALE_FACT || r.code === UNCONFIRMED;

const answering = (r: Refusal | undefined): Refusal | undefined => (r === undefined || decidesAgain(r) ? undefined : r);

const afterLookUp = (s: Extract<Underway, { phase: 'lookingUp' }>, i: Extract<SendInput, { kind: 'BothLookedUp' }>): Underway => {
  // The usual refusals, inviter first, before anything is reserved.
  const refusal =
    answering(engagementRefusal(i.inviter.state, i.inviter.pointed, s.inviter.role, s.at, s.rateLimit)) ??
    answering(engagementRefusal(i.invitee.state, i.invitee.pointed, s.invitee.role, s.at, s.rateLimit));
  if (refusal !== undefined) return over(refusing(refusal));
  const inviter = { party: s.inviter, looked: i.inviter.pointed };
  const invitee = { party: s.invitee, looked: i.invitee.pointed };
  const order = s.invitee.userId < s.inviter.userId ? { first: invitee, second: inviter } : { first: inviter, second: invitee };
  return { phase: 'reserving', order, turn: 'first', attempt: 0, pointed: order.first.looked };
};

/** The first reservation holds a user: whatever stops the second gives it back. */
const stopped = (order: Order, turn: Turn, ending: SendStop): Underway =>
  turn === 'first' ? over(ending) : { phase: 'releasing', party: order.first.party, then: ending };

const afterRefusal = (s: Extract<Underway, { phase: 'reserving' }>, refusal: Refusal): Underway => {
  if (!decidesAgain(refusal)) return stopped(s.order, s.turn, refusing(refusal));
  if (s.attempt + 1 < RESERVE_ATTEMPTS) return { phase: 'lookingUpAgain', order: s.order, turn: s.turn, attempt: s.attempt + 1 };
  return stopped(s.order, s.turn, refusing(refuse('unavailable', 'Too many invitations at once: try again')));
};

export const evolveSend = (s: SendState, i: SendInput): Underway => {
  switch (s.phase) {
    case 'idle':
      if (i.kind !== 'Started') return outOfTurn(s, i);
      return {
        phase: 'lookingUp',
        inviter: { userId: i.inviterId, role: 'inviter' },
        invitee: { userId: i.inviteeId, role: 'invitee' },
        at: i.at,
        rateLimit: i.rateLimit,
      };
    case 'lookingUp':
      if (i.kind === 'BothLookedUp') return afterLookUp(s, i);
      return i.kind === 'Faulted' ? over(fail(i.fault)) : outOfTurn(s, i);
    case 'reserving':
      switch (i.kind) {
        case 'Reserved':
          return s.turn === 'first'
            ? { phase: 'reserving', order: s.order, turn: 'second', attempt: 0, pointed: s.order.second.looked }
            : over({ kind: 'Send' });
        case 'ReserveRefused':
          return afterRefusal(s, i.refusal);
        case 'Faulted':
          return stopped(s.order, s.turn, fail(i.fault));
        default:
          return outOfTurn(s, i);
      }
    case 'lookingUpAgain':
      if (i.kind === 'LookedUpAgain') return { phase: 'reserving', order: s.order, turn: s.turn, attempt: s.attempt, pointed: i.pointed };
      return i.kind === 'Faulted' ? stopped(s.order, s.turn, fail(i.fault)) : outOfTurn(s, i);
    case 'releasing':
      if (i.kind === 'Released') return over(s.then);
      // A release that faults after a fault: the first fault is the one reported (the hold lapses the
      // reservation anyway). After a refusal, the release's own fault is.
      if (i.kind === 'Faulted') return over(s.then.kind === 'Fail' ? s.then : fail(i.fault));
      return outOfTurn(s, i);
    case 'over':
      return outOfTurn(s, i);
  }
};

/** The step a state is waiting on. */
const stepOf = (s: Underway): SendStep => {
  switch (s.phase) {
    case 'lookingUp':
      return { kind: 'LookUpBoth', inviter: s.inviter, invitee: s.invitee };
    case 'reserving':
      return { kind: 'Reserve', party: s.order[s.turn].party, pointed: s.pointed };
    case 'lookingUpAgain':
      return { kind: 'LookUpAgain', party: s.order[s.turn].party };
    case 'releasing':
      return { kind: 'Release', party: s.party };
    case 'over':
      return s.ending;
  }
};

export const decideSend = (i: SendInput, s: SendState): SendStep => stepOf(evolveSend(s, i));

export const sendInvitationWorkflow: Workflow<SendInput, SendState, SendStep> = {
  initialState: { phase: 'idle' },
  decide: decideSend,
  evolve: evolveSend,
};
