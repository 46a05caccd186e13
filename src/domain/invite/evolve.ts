import { List } from 'immutable';
import type { InviteEvent } from './events.js';
import { RECENT_INVITES_KEPT, type InviteBoard } from './state.js';

const release = (s: InviteBoard, inviteId: string, users: readonly string[]): InviteBoard => ({
  ...s,
  pending: s.pending.delete(inviteId),
  engagedBy: users.reduce((m, u) => {
    const e = m.get(u);
    return e !== undefined && 'inviteId' in e && e.inviteId === inviteId ? m.delete(u) : m;
  }, s.engagedBy),
});

export const evolveInvite = (s: InviteBoard, e: InviteEvent): InviteBoard => {
  switch (e.type) {
    case 'InvitationSent': {
      const d = e.data;
      const engaged = { inviteId: d.inviteId };
      const times = (s.recentInvites.get(d.inviterId) ?? List<string>()).push(d.at).takeLast(RECENT_INVITES_KEPT);
      return {
        ...s,
        pending: s.pending.set(d.inviteId, {
          inviteId: d.inviteId,
          inviterId: d.inviterId,
          inviteeId: d.inviteeId,
          options: d.options,
          clientId: d.clientId,
          expiresAt: d.expiresAt,
        }),
        engagedBy: s.engagedBy.set(d.inviterId, engaged).set(d.inviteeId, engaged),
        recentInvites: s.recentInvites.set(d.inviterId, times),
      };
    }
    case 'InvitationAccepted': {
      const d = e.data;
      const released = release(s, d.inviteId, [d.inviterId, d.inviteeId]);
      const engaged = { gameId: d.gameId };
      return {
        ...released,
        games: released.games.set(d.gameId, { gameId: d.gameId, players: [d.inviterId, d.inviteeId], endsAt: d.endsAt }),
        engagedBy: released.engagedBy.set(d.inviterId, engaged).set(d.inviteeId, engaged),
      };
    }
    case 'InvitationDeclined':
    case 'InvitationCanceled':
      return release(s, e.data.inviteId, [e.data.inviterId, e.data.inviteeId]);
    case 'GameEnded': {
      const engagedBy = e.data.players.reduce((m, u) => {
        const g = m.get(u);
        return g !== undefined && 'gameId' in g && g.gameId === e.data.gameId ? m.delete(u) : m;
      }, s.engagedBy);
      return { ...s, games: s.games.delete(e.data.gameId), engagedBy };
    }
  }
};
