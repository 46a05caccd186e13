import { Router, type Request, type Response } from 'express';
import { chatAt, historyEntry, type PointInTime } from '../../application/audit/chat-history.js';
import { erasedMark } from '../../application/broadcast/delivery.js';
import type { PersonalData } from '../../application/erasure/personal-data.js';
import { readStreamOf } from '../../application/log/stream-reader.js';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import { parsePosition } from '../../application/ports/position.js';
import type { ReadModelQueries, ReadModelStore } from '../../application/ports/read-model.js';
import { chatIdFor } from '../../application/shared/ids.js';
import type { ProfileDirectory } from '../../application/users/profile-directory.js';
import { chatStream } from '../../domain/chat/chat.js';
import { chatEvents } from '../../domain/chat/events.js';
import type { AuthenticatedLocals } from './auth-middleware.js';
import { sendError } from './errors.js';
import { isUsername, parseIsoTime, parsePage } from './params.js';

type Res = Response<unknown, AuthenticatedLocals>;

const pointOf = (raw: unknown): PointInTime | undefined | 'invalid' => {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') return 'invalid';
  const position = parsePosition(raw);
  if (position !== undefined) return { kind: 'position', position };
  const time = parseIsoTime(raw);
  return time === undefined ? 'invalid' : { kind: 'time', time };
};

export interface HistoryDeps {
  readonly store: EventStore;
  /** Opens the events' personal data (erased users' reads as erased). */
  readonly personal: PersonalData;
  readonly profiles: ProfileDirectory;
  readonly fresh: (position?: Position) => Promise<ReadModelQueries>;
  /** An empty read-model store for one answer (the chat folded up to `at`), closed after it. */
  readonly scratch: () => ReadModelStore;
}

/**
 * The audit trail of a chat, read from its own stream (not a read model): every event in order,
 * or with `?at=` the chat as it was at an ISO time or log position.
 */
export const historyRouter = ({ store, personal, profiles, fresh, scratch }: HistoryDeps): Router => {
  const router = Router();
  router.get('/chats/:username/history', async (req: Request, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    const point = pointOf(req.query['at']);
    if (point === 'invalid') return sendError(res, 400, 'at must be an ISO 8601 time or a log position');
    const username = String(req.params['username'] ?? '');
    const peer = isUsername(username) ? await (await fresh()).userByUsername(username) : undefined;
    if (peer === undefined) return sendError(res, 404, 'No such user');
    // Members only: the chat id is derived from the caller and the peer, so no one reaches another pair's chat.
    const chatId = chatIdFor(res.locals.actor.userId, peer.userId);
    const stream = chatStream(chatId);
    if (point === undefined) {
      const head = await readStreamOf(store, personal, chatEvents, stream, { fromRevision: page.value.offset, maxCount: page.value.limit });
      const lastRevision = await store.lastRevision(stream);
      if (lastRevision === undefined) return sendError(res, 404, 'No chat with this user');
      const usernames = await profiles.resolve(head.map((e) => e.recorded.metadata.userId).filter((u): u is string => u !== undefined));
      return res.json({ items: head.map((e) => historyEntry(e, (id) => usernames(id).username)), count: lastRevision + 1 });
    }
    const events = await readStreamOf(store, personal, chatEvents, stream);
    const created = events[0]?.event;
    if (created?.type !== 'ChatCreated') return sendError(res, 404, 'No chat with this user');
    const profileOf = await profiles.resolve(created.data.members);
    const members = created.data.members.map((userId) => ({ userId, username: profileOf(userId).username, ...erasedMark(profileOf(userId)) }));
    const folded = scratch();
    try {
      res.json(await chatAt(chatId, events, point, members, folded));
    } finally {
      await folded.close();
    }
  });
  return router;
};
