import { isRight } from 'fp-ts/lib/Either.js';
import { Map as IMap } from 'immutable';
import * as t from 'io-ts';
import type { PresenceState } from '../../domain/presence/state.js';
import type { SnapshotCodec } from '../../domain/shared/decider.js';
import { isString, pairsOf } from './pairs.js';

const PresenceSnapshot = t.type({
  online: t.boolean,
  connections: pairsOf('Connections', isString, isString),
  lastActivity: t.union([t.string, t.null]),
});

/** A user's presence: every connect, activity and disconnect is an event, so the stream grows for as long as the user is around. */
export const presenceSnapshot: SnapshotCodec<PresenceState> = {
  version: 1,
  encode: (s) => ({ online: s.online, connections: [...s.connections.entries()], lastActivity: s.lastActivity ?? null }),
  decode: (json) => {
    const decoded = PresenceSnapshot.decode(json);
    if (!isRight(decoded)) return undefined;
    const s = decoded.right;
    return { online: s.online, connections: IMap(s.connections), lastActivity: s.lastActivity ?? undefined };
  },
};
