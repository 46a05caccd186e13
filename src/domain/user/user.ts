import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { refuse, type Refusal } from '../shared/decision.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/** The user directory entry: a user becomes known when it first presents a valid token. */
export interface Profile {
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

const profile = t.readonly(t.type({ userId: t.string, username: t.string, nickname: t.string, avatar: t.string, at: t.string }));
/** The whole profile is the user's personal data; an erased username reads as the user's alias. */
const personalProfile = {
  personal: { username: { owner: 'userId', erasedAs: 'alias' }, nickname: { owner: 'userId' }, avatar: { owner: 'userId' } },
} as const;
export const UserRegistered = defineEvent('UserRegistered', profile, personalProfile);
export const UserProfileUpdated = defineEvent('UserProfileUpdated', profile, personalProfile);

/**
 * Erasure (right to be forgotten), on the user's own stream: the request, then, once every key of
 * the user was destroyed, that the user was erased. Neither holds personal data. `keyIds` are the
 * keys the user had when the request was stored: a copy of the key store restored from a backup
 * must not bring them back, even after the user registered afresh (start-up destroys them again).
 */
export const ErasureRequested = defineEvent('ErasureRequested', t.readonly(t.type({ userId: t.string, keyIds: t.readonlyArray(t.string), at: t.string })));
/** `alias`: the username the erased user is shown with from now on (a keyed hash of the user id, not of anything personal). */
export const UserErased = defineEvent('UserErased', t.readonly(t.type({ userId: t.string, alias: t.string, at: t.string })));

export const userEvents = EventSet.of(UserRegistered).and(UserProfileUpdated).and(ErasureRequested).and(UserErased);
export type UserEvent = EventOf<(typeof userEvents.specs)[number]>;

export interface RegisterUser extends Profile {
  readonly kind: 'RegisterUser';
  readonly userId: string;
  readonly at: string;
}

export interface RequestErasure {
  readonly kind: 'RequestErasure';
  readonly userId: string;
  readonly keyIds: readonly string[];
  readonly at: string;
}

export interface CompleteErasure {
  readonly kind: 'CompleteErasure';
  readonly userId: string;
  readonly alias: string;
  readonly at: string;
}

export type UserCommand = RegisterUser | RequestErasure | CompleteErasure;

/**
 * Unknown (never registered, or erased: `erasedAs` then holds the alias it is shown with), or
 * known with its profile; `erasing` from the request until the user is erased.
 */
export type UserState =
  { readonly known: false; readonly erasedAs?: string } | ({ readonly known: true; readonly userId: string; readonly erasing?: true } & Profile);

const sameProfile = (a: Profile, b: Profile): boolean => a.username === b.username && a.nickname === b.nickname && a.avatar === b.avatar;

const decide = (c: UserCommand, s: UserState): readonly UserEvent[] | Refusal => {
  switch (c.kind) {
    case 'RegisterUser': {
      // An erased user presenting a token again is registered afresh (new key, new record).
      const profile = { userId: c.userId, username: c.username, nickname: c.nickname, avatar: c.avatar, at: c.at };
      if (!s.known) return [{ type: 'UserRegistered', data: profile }];
      return sameProfile(s, c) ? [] : [{ type: 'UserProfileUpdated', data: profile }];
    }
    case 'RequestErasure':
      if (!s.known) return s.erasedAs === undefined ? refuse('user_not_found', 'No such user') : [];
      return s.erasing === true ? [] : [{ type: 'ErasureRequested', data: { userId: c.userId, keyIds: [...c.keyIds], at: c.at } }];
    case 'CompleteErasure':
      return s.known && s.erasing === true ? [{ type: 'UserErased', data: { userId: c.userId, alias: c.alias, at: c.at } }] : [];
  }
};

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  events: userEvents,
  initialState: { known: false },
  decide,
  evolve: (s, e) => {
    switch (e.type) {
      case 'UserRegistered':
      case 'UserProfileUpdated': {
        const { userId, username, nickname, avatar } = e.data;
        // A token presented between the request and its completion does not cancel the erasure.
        return { known: true, userId, username, nickname, avatar, ...(s.known && s.erasing === true ? { erasing: true } : {}) };
      }
      case 'ErasureRequested':
        return s.known ? { ...s, erasing: true } : s;
      case 'UserErased':
        return { known: false, erasedAs: e.data.alias };
    }
  },
};

export const userStream = (userId: string): string => `user-${userId}`;
