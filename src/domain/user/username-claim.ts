import type { Decider, DomainEvent } from '../shared/decider.js';

/**
 * Who holds a username: one stream per name, `username-{name}`. A username belongs to one user
 * at a time; a valid token presenting it makes its user the holder, and the previous holder's
 * record then releases it (`UsernameReleased`). Claims are appended with the stream's expected
 * revision, so two users racing for one name are ordered: the later claim names the earlier
 * holder, and every claim ends with exactly one holder.
 */
export type UsernameClaimEvent = DomainEvent<
  'UsernameClaimed',
  { readonly username: string; readonly userId: string; readonly previousHolderId: string | null; readonly at: string }
>;

export interface ClaimUsername {
  readonly kind: 'ClaimUsername';
  readonly username: string;
  readonly userId: string;
  /**
   * For a name whose stream does not exist yet: who had it before claims were recorded (users
   * registered by an older version), looked up by the handler; undefined when nobody did.
   */
  readonly unrecordedHolderId: string | undefined;
  readonly at: string;
}

export interface UsernameClaimState {
  readonly holder: string | undefined;
}

export const usernameClaimDecider: Decider<ClaimUsername, UsernameClaimState, UsernameClaimEvent> = {
  initialState: { holder: undefined },
  decide: (c, s) => {
    if (s.holder === c.userId) return [];
    const previous = s.holder ?? (c.unrecordedHolderId === c.userId ? undefined : c.unrecordedHolderId);
    return [{ type: 'UsernameClaimed', data: { username: c.username, userId: c.userId, previousHolderId: previous ?? null, at: c.at } }];
  },
  evolve: (_s, e) => ({ holder: e.data.userId }),
};

export const usernameStream = (username: string): string => `username-${username}`;
