import { Router, type Request } from 'express';
import { chatAt, historyEntry, type PointInTime } from '../../application/audit/chat-history.js';
import type { ProfileDirectory } from '../../application/broadcast/profile-directory.js';
import type { CommandDeps } from '../../application/commands/context.js';
import { chatIdFor } from '../../application/commands/ids.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { parsePosition } from '../../application/ports/position.js';
import { chatStream } from '../../domain/chat/chat.js';
import type { AuthenticatedLocals } from './auth-middleware.js';
import { sendError } from './errors.js';
import { isUsername, parseIsoTime, parsePage } from './params.js';
import type { Response } from 'express';

type Res = Response<unknown, AuthenticatedLocals>;

const pointOf = (raw: unknown): PointInTime | undefined | 'invalid' => {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') return 'invalid';
  const position = parsePosition(raw);
  if (position !== undefined) return { kind: 'position', position };
  const time = parseIsoTime(raw);
  return time === undefined ? 'invalid' : { kind: 'time', time };
};

/**
 * The audit trail of a chat, read from its own stream (not a read model): every event in order,
 * or with `?at=` the chat as it was at an ISO time or log position.
 */
export const historyRouter = (deps: CommandDeps, store: EventStore, profiles: ProfileDirectory): Router => {
  const router = Router();
  router.get('/chats/:username/history', async (req: Request, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    const point = pointOf(req.query['at']);
    if (point === 'invalid') return sendError(res, 400, 'at must be an ISO 8601 time or a log position');
    const username = String(req.params['username'] ?? '');
    const peer = isUsername(username) ? await deps.queries.userByUsername(username) : undefined;
    if (peer === undefined) return sendError(res, 404, 'No such user');
    // Members only: the chat id is derived from the caller and the peer, so no one reaches another pair's chat.
    const chatId = chatIdFor(res.locals.actor.userId, peer.userId);
    const stream = chatStream(chatId);
    if (point === undefined) {
      const head = await store.readStream(stream, { fromRevision: page.value.offset, maxCount: page.value.limit });
      const lastRevision = await store.lastRevision(stream);
      if (lastRevision === undefined) return sendError(res, 404, 'No chat with this user');
      const usernames = await profiles.resolve(head.map((e) => e.metadata.userId).filter((u): u is string => u !== undefined));
      const count = lastRevision + 1;
      return res.json({ items: head.map((e) => historyEntry(e, (id) => usernames(id).username)), count });
    }
    const events = await store.readStream(stream);
    if (events.length === 0) return sendError(res, 404, 'No chat with this user');
    const members = events[0]?.data['members'];
    const ids = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
    const usernames = await profiles.resolve(ids);
    res.json(chatAt(chatId, events, point, (id) => usernames(id).username));
  });
  return router;
};
