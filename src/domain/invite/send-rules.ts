import { refuse, type Refusal } from '../shared/decision.js';

/** What refuses an invitation before anyone's engagement is looked at: in this order. */
export const sendRefusal = (c: {
  readonly inviterId: string;
  readonly inviteeId: string;
  readonly inviteeKnown: boolean;
  readonly blocked: boolean;
}): Refusal | undefined => {
  if (c.inviterId === c.inviteeId) return refuse('cannot_invite_self', 'You cannot invite yourself');
  if (!c.inviteeKnown) return refuse('user_not_found', 'No such user');
  if (c.blocked) return refuse('blocked', 'One of you blocked the other');
  return undefined;
};

export const noPendingInvitation = (): Refusal => refuse('no_pending_invitation', 'There is no pending invitation between you');
