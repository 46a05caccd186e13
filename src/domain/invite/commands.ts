import type { GameOptions } from './options.js';

export interface InviteRateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** Invite-board commands; lookups (known user, blocks) and policies arrive on the command. */
export type InviteCommand =
  | {
      readonly kind: 'SendInvitation';
      readonly inviteId: string;
      readonly inviterId: string;
      readonly inviteeId: string;
      readonly inviteeKnown: boolean;
      readonly blocked: boolean;
      readonly options: GameOptions;
      readonly clientId: string;
      readonly at: string;
      readonly ttlMs: number;
      readonly rateLimit: InviteRateLimit;
    }
  | {
      readonly kind: 'ReplyInvitation';
      readonly inviteeId: string;
      readonly inviterId: string;
      readonly accept: boolean;
      readonly gameId: string;
      readonly at: string;
      /** Extra time past the options' time limit before a game stops engaging its players. */
      readonly gameGraceMs: number;
    }
  | { readonly kind: 'CancelInvitation'; readonly inviterId: string; readonly inviteeId: string; readonly at: string }
  | { readonly kind: 'ExpireInvitation'; readonly inviteId: string; readonly at: string }
  | { readonly kind: 'CancelInvitationsOf'; readonly inviterId: string; readonly at: string }
  | { readonly kind: 'EndGame'; readonly gameId: string; readonly at: string };
