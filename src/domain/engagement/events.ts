import * as t from 'io-ts';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

export const EngagementRoleCodec = t.keyof({ inviter: null, invitee: null });
export type EngagementRole = t.TypeOf<typeof EngagementRoleCodec>;

/**
 * The user is engaged by `inviteId` from now on: pending or in game once that invitation is
 * sent, and until `holdUntil` while it is not (yet). For an inviter, `recentSince` is where
 * the rate-limit window began: older send times are forgotten.
 */
export const EngagementReserved = defineEvent(
  'EngagementReserved',
  t.readonly(
    t.intersection([
      t.type({ userId: t.string, inviteId: t.string, role: EngagementRoleCodec, at: t.string, holdUntil: t.string }),
      t.partial({ recentSince: t.string }),
    ]),
  ),
);
/** Compensation: the other user's reservation failed, so this one is given back. */
export const EngagementReleased = defineEvent('EngagementReleased', t.readonly(t.type({ userId: t.string, inviteId: t.string, at: t.string })));

export const engagementEvents = EventSet.of(EngagementReserved).and(EngagementReleased);
export type EngagementEvent = EventOf<(typeof engagementEvents.specs)[number]>;
