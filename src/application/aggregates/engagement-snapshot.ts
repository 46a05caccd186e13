import { isRight } from 'fp-ts/lib/Either.js';
import { List } from 'immutable';
import * as t from 'io-ts';
import type { Engagement } from '../../domain/engagement/state.js';
import type { SnapshotCodec } from '../../domain/shared/decider.js';

const Pointer = t.type({ inviteId: t.string, role: t.union([t.literal('inviter'), t.literal('invitee')]), at: t.string, holdUntil: t.string });

const EngagementSnapshot = t.type({
  pointer: t.union([Pointer, t.null]),
  recentInvites: t.array(t.type({ inviteId: t.string, at: t.string })),
});

/** A user's engagement: one event per invitation they send or receive, for as long as they play. */
export const engagementSnapshot: SnapshotCodec<Engagement> = {
  version: 1,
  encode: (s) => ({ pointer: s.pointer === undefined ? null : { ...s.pointer }, recentInvites: s.recentInvites.map((r) => ({ ...r })).toArray() }),
  decode: (json) => {
    const decoded = EngagementSnapshot.decode(json);
    if (!isRight(decoded)) return undefined;
    const s = decoded.right;
    return { pointer: s.pointer ?? undefined, recentInvites: List(s.recentInvites) };
  },
};
