import { ms } from '../shared/time.js';
import type { Invitation } from '../invite/state.js';
import type { EngagementPointer } from './state.js';

/** What the invitation a pointer names looks like now, read from its stream by the caller. */
export interface PointedInvitation {
  readonly inviteId: string;
  readonly invitation: Invitation;
}

/**
 * The engaged rule, in one place. A user is engaged by the invitation their pointer names while
 * it is pending and unexpired, or its game has not ended nor passed endsAt (both lapse by time
 * before the job that records them runs), or while it is unsent and its hold has not lapsed.
 * `unconfirmed` is an unsent invitation past its hold: it must be fenced off (abandoned) first.
 */
export type EngagedBy = 'invitation' | 'game' | 'unconfirmed' | undefined;

export const engagedBy = (pointer: EngagementPointer | undefined, pointed: Invitation | undefined, at: string): EngagedBy => {
  if (pointer === undefined) return undefined;
  const s = pointed ?? { status: 'unsent' as const };
  switch (s.status) {
    case 'unsent':
      return ms(pointer.holdUntil) > ms(at) ? 'invitation' : 'unconfirmed';
    case 'pending':
      return ms(s.invite.expiresAt) > ms(at) ? 'invitation' : undefined;
    case 'in_game':
      return ms(s.game.endsAt) > ms(at) ? 'game' : undefined;
    case 'over':
      return undefined;
  }
};
