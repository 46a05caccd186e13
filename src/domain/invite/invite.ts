import type { Decider } from '../shared/decider.js';
import type { InviteCommand } from './commands.js';
import { decideInvite } from './decide.js';
import { inviteEvents, type InviteEvent } from './events.js';
import { evolveInvite } from './evolve.js';
import { unsentInvitation, type Invitation } from './state.js';

export const inviteDecider: Decider<InviteCommand, Invitation, InviteEvent> = {
  events: inviteEvents,
  initialState: unsentInvitation,
  decide: decideInvite,
  evolve: evolveInvite,
};

/** One stream per invitation: its lifecycle from InvitationSent to its end. */
export const inviteStream = (inviteId: string): string => `invite-${inviteId}`;

/**
 * The single board every invitation used to live on. It stays in the log (audits and rebuilds
 * read it); no command appends to it any more.
 */
export const LEGACY_INVITES_STREAM = 'invites';
