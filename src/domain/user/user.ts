import type { Decider, DomainEvent } from '../shared/decider.js';

/** The user directory entry: a user becomes known when it first presents a valid token. */
export interface Profile {
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

/**
 * `UsernameReleased`: another user's token now presents this user's username (see
 * username-claim.ts), so this record gives it up: its username is empty until one of its own
 * tokens names one again. `username` is the name given up; nickname and avatar are kept.
 */
export type UserEvent =
  | DomainEvent<'UserRegistered', Profile & { readonly userId: string; readonly at: string }>
  | DomainEvent<'UserProfileUpdated', Profile & { readonly userId: string; readonly at: string }>
  | DomainEvent<'UsernameReleased', Profile & { readonly userId: string; readonly at: string }>;

export interface RegisterUser extends Profile {
  readonly kind: 'RegisterUser';
  readonly userId: string;
  readonly at: string;
}

/** Give up `username` because another user holds it now; a no-op when the record already has another name. */
export interface ReleaseUsername {
  readonly kind: 'ReleaseUsername';
  readonly userId: string;
  readonly username: string;
  readonly at: string;
}

export type UserCommand = RegisterUser | ReleaseUsername;

/** A released record's username. */
export const NO_USERNAME = '';

export type UserState = { readonly known: false } | ({ readonly known: true; readonly userId: string } & Profile);

const sameProfile = (a: Profile, b: Profile): boolean =>
  a.username === b.username && a.nickname === b.nickname && a.avatar === b.avatar;

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: { known: false },
  decide: (c, s) => {
    if (c.kind === 'ReleaseUsername') {
      if (!s.known || s.username !== c.username) return [];
      return [{ type: 'UsernameReleased', data: { userId: c.userId, username: c.username, nickname: s.nickname, avatar: s.avatar, at: c.at } }];
    }
    const profile = { userId: c.userId, username: c.username, nickname: c.nickname, avatar: c.avatar, at: c.at };
    if (!s.known) return [{ type: 'UserRegistered', data: profile }];
    return sameProfile(s, c) ? [] : [{ type: 'UserProfileUpdated', data: profile }];
  },
  evolve: (_s, e) => ({
    known: true,
    userId: e.data.userId,
    username: e.type === 'UsernameReleased' ? NO_USERNAME : e.data.username,
    nickname: e.data.nickname,
    avatar: e.data.avatar,
  }),
};

export const userStream = (userId: string): string => `user-${userId}`;
