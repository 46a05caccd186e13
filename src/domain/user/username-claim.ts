import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/**
 * Who holds a username: one stream per name, `username-{keyed hash of the name}`. A username belongs to one user
 * at a time: every valid token presenting it claims it for its user (a no-op for the holder).
 * Claims are appended with the stream's expected revision, so claims racing for one name are
 * put in one order, and the last one names the holder. Users who presented the name earlier
 * keep it in their own records (as their token said) but no longer hold it: they are shown
 * without a username (`NO_USERNAME`) and found by nobody under it.
 */
export const UsernameClaimed = defineEvent(
  'UsernameClaimed',
  t.readonly(t.type({ username: t.string, userId: t.string, previousHolderId: t.union([t.string, t.null]), at: t.string })),
  { personal: { username: { owner: 'userId', erasedAs: 'alias' } } },
);
export const usernameClaimEvents = EventSet.of(UsernameClaimed);
export type UsernameClaimEvent = EventOf<(typeof usernameClaimEvents.specs)[number]>;

export interface ClaimUsername {
  readonly kind: 'ClaimUsername';
  readonly username: string;
  readonly userId: string;
  readonly at: string;
}

export interface UsernameClaimState {
  readonly holder: string | undefined;
}

export const usernameClaimDecider: Decider<ClaimUsername, UsernameClaimState, UsernameClaimEvent> = {
  events: usernameClaimEvents,
  initialState: { holder: undefined },
  decide: (c, s) =>
    s.holder === c.userId ? [] : [{ type: 'UsernameClaimed', data: { username: c.username, userId: c.userId, previousHolderId: s.holder ?? null, at: c.at } }],
  evolve: (_s, e) => ({ holder: e.data.userId }),
};

/**
 * The stream of a username, named by its keyed hash (`UsernameIndex` in the application), never
 * by the name itself: a stream id is in every ledger leaf and cannot be encrypted or forgotten.
 */
export const usernameStream = (usernameHash: string): string => `username-${usernameHash}`;

/** A user who no longer holds the username its record names is shown with this one. */
export const NO_USERNAME = '';

/**
 * The username `userId` is shown with, given the one its record names and that name's claims
 * (`revision` -1: never claimed, i.e. recorded before claims were: it is still its own).
 */
export const heldUsername = (userId: string, recorded: string, claim: UsernameClaimState, revision: number): string =>
  revision < 0 || claim.holder === userId ? recorded : NO_USERNAME;
