import type { InviteEvent } from './events.js';
import type { Invitation } from './state.js';

export const evolveInvite = (s: Invitation, e: InviteEvent): Invitation => {
  switch (e.type) {
    case 'InvitationSent': {
      const { inviteId, inviterId, inviteeId, options, clientId, expiresAt } = e.data;
      return { status: 'pending', invite: { inviteId, inviterId, inviteeId, options, clientId, expiresAt } };
    }
    case 'InvitationAccepted':
      if (s.status !== 'pending') return s;
      return { status: 'in_game', invite: s.invite, game: { gameId: e.data.gameId, players: [e.data.inviterId, e.data.inviteeId], endsAt: e.data.endsAt } };
    case 'InvitationDeclined':
    case 'InvitationCanceled':
    case 'GameEnded':
    case 'InvitationAbandoned':
      return { status: 'over' };
  }
};
