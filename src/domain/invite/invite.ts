import type { Decider } from '../shared/decider.js';
import type { InviteCommand } from './commands.js';
import { decideInvite } from './decide.js';
import type { InviteEvent } from './events.js';
import { evolveInvite } from './evolve.js';
import { initialInviteBoard, type InviteBoard } from './state.js';

export const inviteDecider: Decider<InviteCommand, InviteBoard, InviteEvent> = {
  initialState: initialInviteBoard,
  decide: decideInvite,
  evolve: evolveInvite,
};

export const INVITES_STREAM = 'invites';
