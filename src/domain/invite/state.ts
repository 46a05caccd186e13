import { List, Map as IMap } from 'immutable';
import type { GameOptions } from './options.js';

export interface PendingInvitation {
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
 * One board for every invitation: "no invitation while either side is engaged" spans users,
 * so it is decided against one stream and kept atomic by its expected revision.
 */
export interface InviteBoard {
  readonly pending: IMap<string, PendingInvitation>;
  readonly games: IMap<string, Game>;
  /** user → the invitation or game engaging them. */
  readonly engagedBy: IMap<string, { readonly inviteId: string } | { readonly gameId: string }>;
  /** sender → times of their most recent invitations (bounded), for the rate limit. */
  readonly recentInvites: IMap<string, List<string>>;
}

export const initialInviteBoard: InviteBoard = { pending: IMap(), games: IMap(), engagedBy: IMap(), recentInvites: IMap() };

/** How many send times are kept per sender: more than any sane rate limit's burst. */
export const RECENT_INVITES_KEPT = 50;
