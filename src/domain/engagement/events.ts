import type { DomainEvent } from '../shared/decider.js';

export type EngagementRole = 'inviter' | 'invitee';

export type EngagementEvent =
  /**
   * The user is engaged by `inviteId` from now on: pending or in game once that invitation is
   * sent, and until `holdUntil` while it is not (yet). For an inviter, `recentSince` is where
   * the rate-limit window began: older send times are forgotten.
   */
  | DomainEvent<
      'EngagementReserved',
      {
        readonly userId: string;
        readonly inviteId: string;
        readonly role: EngagementRole;
        readonly at: string;
        readonly holdUntil: string;
        readonly recentSince?: string;
      }
    >
  /** Compensation: the other user's reservation failed, so this one is given back. */
  | DomainEvent<'EngagementReleased', { readonly userId: string; readonly inviteId: string; readonly at: string }>;
