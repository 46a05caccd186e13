import { refuse, type Refusal } from '../shared/decision.js';
import { addMs, ms } from '../shared/time.js';
import type { InviteCommand } from './commands.js';
import type { InviteEvent } from './events.js';
import { noPendingInvitation } from './send-rules.js';
import type { Invitation, SentInvitation } from './state.js';

type Decision = readonly InviteEvent[] | Refusal;

/** The invitation, if it is pending and not yet expired by time (its expiry may not be recorded yet). */
const livePending = (s: Invitation, at: string): SentInvitation | undefined =>
  s.status === 'pending' && ms(s.invite.expiresAt) > ms(at) ? s.invite : undefined;

const noPending = noPendingInvitation;

const parties = (p: SentInvitation) => ({ inviteId: p.inviteId, inviterId: p.inviterId, inviteeId: p.inviteeId });

export const decideInvite = (c: InviteCommand, s: Invitation): Decision => {
  switch (c.kind) {
    case 'SendInvitation':
      // Both users' engagement was reserved first (see domain/engagement); the stream only has to be new.
      // Not new means the reservation's hold lapsed and another command fenced it off: the sender retries.
      if (s.status !== 'unsent') return refuse('unavailable', 'The invitation could not be sent in time: try again');
      return [
        {
          type: 'InvitationSent',
          data: {
            inviteId: c.inviteId,
            inviterId: c.inviterId,
            inviteeId: c.inviteeId,
            options: c.options,
            clientId: c.clientId,
            at: c.at,
            expiresAt: addMs(c.at, c.ttlMs),
          },
        },
      ];
    case 'ReplyInvitation': {
      const p = livePending(s, c.at);
      if (p === undefined || p.inviterId !== c.inviterId || p.inviteeId !== c.inviteeId) return noPending();
      if (!c.accept) return [{ type: 'InvitationDeclined', data: { ...parties(p), at: c.at } }];
      const endsAt = addMs(c.at, p.options.time_limit * 60_000 + c.gameGraceMs);
      return [{ type: 'InvitationAccepted', data: { ...parties(p), gameId: c.gameId, options: p.options, at: c.at, endsAt } }];
    }
    case 'CancelInvitation': {
      const p = livePending(s, c.at);
      if (p === undefined || p.inviterId !== c.inviterId || p.inviteeId !== c.inviteeId) return noPending();
      return [{ type: 'InvitationCanceled', data: { ...parties(p), reason: 'canceled', clientId: p.clientId, at: c.at } }];
    }
    case 'ExpireInvitation': {
      if (s.status !== 'pending' || ms(s.invite.expiresAt) > ms(c.at)) return [];
      const p = s.invite;
      return [{ type: 'InvitationCanceled', data: { ...parties(p), reason: 'expired', clientId: p.clientId, at: c.at } }];
    }
    case 'CancelInvitationsOf': {
      if (s.status !== 'pending' || s.invite.inviterId !== c.inviterId) return [];
      // An invitation already past its expiry (its expiry job not yet run) lapsed on its own:
      // it is closed as expired, not as canceled by the disconnection.
      const p = s.invite;
      const reason = ms(p.expiresAt) > ms(c.at) ? 'inviter_disconnected' : 'expired';
      return [{ type: 'InvitationCanceled', data: { ...parties(p), reason, clientId: p.clientId, at: c.at } }];
    }
    case 'EndGame':
      if (s.status !== 'in_game' || s.game.gameId !== c.gameId) return [];
      return [{ type: 'GameEnded', data: { gameId: s.game.gameId, players: s.game.players, at: c.at } }];
    case 'AbandonInvitation':
      return s.status === 'unsent' ? [{ type: 'InvitationAbandoned', data: { inviteId: c.inviteId, at: c.at } }] : [];
  }
};
