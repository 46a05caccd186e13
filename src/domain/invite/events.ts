import type { DomainEvent } from '../shared/decider.js';
import type { GameOptions } from './options.js';

interface Parties {
  readonly inviteId: string;
  readonly inviterId: string;
  readonly inviteeId: string;
}

export type CancelReason = 'canceled' | 'expired' | 'inviter_disconnected';

export type InviteEvent =
  | DomainEvent<'InvitationSent', Parties & { readonly options: GameOptions; readonly clientId: string; readonly at: string; readonly expiresAt: string }>
  | DomainEvent<'InvitationAccepted', Parties & { readonly gameId: string; readonly options: GameOptions; readonly at: string; readonly endsAt: string }>
  | DomainEvent<'InvitationDeclined', Parties & { readonly at: string }>
  | DomainEvent<'InvitationCanceled', Parties & { readonly reason: CancelReason; readonly clientId: string; readonly at: string }>
  | DomainEvent<'GameEnded', { readonly gameId: string; readonly players: readonly [string, string]; readonly at: string }>
  /**
   * Fence on an invitation whose sender reserved both users and never sent it (crashed between
   * the steps): appended with expected `no_stream`, so it and the late InvitationSent cannot both be stored.
   */
  | DomainEvent<'InvitationAbandoned', { readonly inviteId: string; readonly at: string }>;
