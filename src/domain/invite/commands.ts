import type { GameOptions } from './options.js';

/** Commands on one invitation's stream; lookups and policies arrive on the command. */
export type InviteCommand =
  | {
      readonly kind: 'SendInvitation';
      readonly inviteId: string;
      readonly inviterId: string;
      readonly inviteeId: string;
      readonly options: GameOptions;
      readonly clientId: string;
      readonly at: string;
      readonly ttlMs: number;
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
  | { readonly kind: 'ExpireInvitation'; readonly at: string }
  | { readonly kind: 'CancelInvitationsOf'; readonly inviterId: string; readonly at: string }
  | { readonly kind: 'EndGame'; readonly gameId: string; readonly at: string }
  | { readonly kind: 'AbandonInvitation'; readonly inviteId: string; readonly at: string };
