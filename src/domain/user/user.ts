import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/** The user directory entry: a user becomes known when it first presents a valid token. */
export interface Profile {
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

const profile = t.readonly(t.type({ userId: t.string, username: t.string, nickname: t.string, avatar: t.string, at: t.string }));
export const UserRegistered = defineEvent('UserRegistered', profile);
export const UserProfileUpdated = defineEvent('UserProfileUpdated', profile);
export const userEvents = EventSet.of(UserRegistered).and(UserProfileUpdated);
export type UserEvent = EventOf<(typeof userEvents.specs)[number]>;

export interface RegisterUser extends Profile {
  readonly kind: 'RegisterUser';
  readonly userId: string;
  readonly at: string;
}

export type UserState = { readonly known: false } | ({ readonly known: true; readonly userId: string } & Profile);

const sameProfile = (a: Profile, b: Profile): boolean => a.username === b.username && a.nickname === b.nickname && a.avatar === b.avatar;

export const userDecider: Decider<RegisterUser, UserState, UserEvent> = {
  events: userEvents,
  initialState: { known: false },
  decide: (c, s) => {
    const profile = { userId: c.userId, username: c.username, nickname: c.nickname, avatar: c.avatar, at: c.at };
    if (!s.known) return [{ type: 'UserRegistered', data: profile }];
    return sameProfile(s, c) ? [] : [{ type: 'UserProfileUpdated', data: profile }];
  },
  evolve: (_s, e) => ({
    known: true,
    userId: e.data.userId,
    username: e.data.username,
    nickname: e.data.nickname,
    avatar: e.data.avatar,
  }),
};

export const userStream = (userId: string): string => `user-${userId}`;
