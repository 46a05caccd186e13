import type { GameOptions } from './options.js';

export interface SentInvitation {
  readonly inviteId: string;
  readonly inviterId: string;
  readonly inviteeId: string;
  readonly options: GameOptions;
  readonly clientId: string;
  readonly expiresAt: string;
}

export interface Game {
  readonly gameId: string;
  readonly players: readonly [string, string];
  readonly endsAt: string;
}

/**
 * One invitation's lifecycle, on its own stream `invite-{inviteId}`: unsent (no stream yet),
 * pending, in game, or over (declined, canceled, expired, ended, abandoned).
 */
export type Invitation =
  | { readonly status: 'unsent' }
  | { readonly status: 'pending'; readonly invite: SentInvitation }
  | { readonly status: 'in_game'; readonly invite: SentInvitation; readonly game: Game }
  | { readonly status: 'over' };

export const unsentInvitation: Invitation = { status: 'unsent' };
