import { refuse, type Refusal } from '../shared/decision.js';
import { addMs, ms } from '../shared/time.js';
import type { InviteCommand } from './commands.js';
import type { InviteEvent } from './events.js';
import type { InviteBoard, PendingInvitation } from './state.js';

type Decision = readonly InviteEvent[] | Refusal;

/** Engagement lapses on its own once an invitation expired or a game ran out, even before the job that records it. */
const engagement = (s: InviteBoard, userId: string, at: string): 'invitation' | 'game' | undefined => {
  const e = s.engagedBy.get(userId);
  if (e === undefined) return undefined;
  if ('inviteId' in e) {
    const inv = s.pending.get(e.inviteId);
    return inv !== undefined && ms(inv.expiresAt) > ms(at) ? 'invitation' : undefined;
  }
  const game = s.games.get(e.gameId);
  return game !== undefined && ms(game.endsAt) > ms(at) ? 'game' : undefined;
};

const findPending = (s: InviteBoard, inviterId: string, inviteeId: string, at: string): PendingInvitation | undefined =>
  s.pending.find((p) => p.inviterId === inviterId && p.inviteeId === inviteeId && ms(p.expiresAt) > ms(at));

const noPending = (): Refusal => refuse('no_pending_invitation', 'There is no pending invitation between you');

const parties = (p: PendingInvitation) => ({ inviteId: p.inviteId, inviterId: p.inviterId, inviteeId: p.inviteeId });

export const decideInvite = (c: InviteCommand, s: InviteBoard): Decision => {
  switch (c.kind) {
    case 'SendInvitation': {
      if (c.inviterId === c.inviteeId) return refuse('cannot_invite_self', 'You cannot invite yourself');
      if (!c.inviteeKnown) return refuse('user_not_found', 'No such user');
      if (c.blocked) return refuse('blocked', 'One of you blocked the other');
      for (const [who, userId] of [
        ['You are', c.inviterId],
        ['This user is', c.inviteeId],
      ] as const) {
        const engaged = engagement(s, userId, c.at);
        if (engaged === 'game') return refuse('already_in_game', `${who} already in a game`);
        if (engaged === 'invitation') return refuse('invitation_pending', `${who} already part of a pending invitation`);
      }
      const since = ms(c.at) - c.rateLimit.windowMs;
      const recent = s.recentInvites.get(c.inviterId)?.filter((t) => ms(t) > since).size ?? 0;
      if (recent >= c.rateLimit.max) return refuse('rate_limited', 'Too many invitations: wait a moment');
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
    }
    case 'ReplyInvitation': {
      const p = findPending(s, c.inviterId, c.inviteeId, c.at);
      if (p === undefined) return noPending();
      if (!c.accept) return [{ type: 'InvitationDeclined', data: { ...parties(p), at: c.at } }];
      const endsAt = addMs(c.at, p.options.time_limit * 60_000 + c.gameGraceMs);
      return [{ type: 'InvitationAccepted', data: { ...parties(p), gameId: c.gameId, options: p.options, at: c.at, endsAt } }];
    }
    case 'CancelInvitation': {
      const p = findPending(s, c.inviterId, c.inviteeId, c.at);
      if (p === undefined) return noPending();
      return [{ type: 'InvitationCanceled', data: { ...parties(p), reason: 'canceled', clientId: p.clientId, at: c.at } }];
    }
    case 'ExpireInvitation': {
      const p = s.pending.get(c.inviteId);
      if (p === undefined || ms(p.expiresAt) > ms(c.at)) return [];
      return [{ type: 'InvitationCanceled', data: { ...parties(p), reason: 'expired', clientId: p.clientId, at: c.at } }];
    }
    case 'CancelInvitationsOf':
      // An invitation already past its expiry (its expiry job not yet run) lapsed on its own:
      // it is closed as expired, not as canceled by the disconnection.
      return s.pending
        .filter((p) => p.inviterId === c.inviterId)
        .valueSeq()
        .map((p): InviteEvent => ({
          type: 'InvitationCanceled',
          data: { ...parties(p), reason: ms(p.expiresAt) > ms(c.at) ? 'inviter_disconnected' : 'expired', clientId: p.clientId, at: c.at },
        }))
        .toArray();
    case 'EndGame': {
      const game = s.games.get(c.gameId);
      return game === undefined ? [] : [{ type: 'GameEnded', data: { gameId: game.gameId, players: game.players, at: c.at } }];
    }
  }
};
