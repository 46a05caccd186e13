import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { setBlock } from '../../application/blocks/block.js';
import { openChat } from '../../application/chat/open-chat.js';
import { markAllNotificationsRead } from '../../application/notifications/reading.js';
import type { Position } from '../../application/ports/event-store.js';
import type { ReadModelQueries, UserRecord } from '../../application/ports/read-model.js';
import type { CommandDeps } from '../../application/shared/deps.js';
import { chatIdFor } from '../../application/shared/ids.js';
import { isRefusal } from '../../domain/shared/decision.js';
import type { AuthenticatedLocals } from './auth-middleware.js';
import { sendError, sendRefusal } from './errors.js';
import { isUsername, parsePage, parseReadFilter } from './params.js';

export interface RestDeps {
  readonly deps: CommandDeps;
  /** The read models once they include `position`, or the log's head when undefined (bounded: ReadSideUnavailable past it). */
  readonly fresh: (position?: Position) => Promise<ReadModelQueries>;
  /** Told of each business-rule refusal (metrics). */
  readonly onRefusal?: (code: string) => void;
}

type Res = Response<unknown, AuthenticatedLocals>;

const CHAT_MESSAGES = 30;

const blockedView = (u: UserRecord) => ({ username: u.username, nickname: u.nickname, avatar: u.avatar, ...(u.erased === true ? { erased: true } : {}) });

/** The REST API of PROTOCOL.md. Reads wait for the read models to catch up, so a client sees what it was told about. */
/** The request id (request-log.ts) becomes the correlation id of what the request stores. */
const correlationOf = (req: IncomingMessage): string => {
  const id = (req as IncomingMessage & { readonly id?: unknown }).id;
  return typeof id === 'string' ? id : randomUUID();
};

export const restRouter = ({ deps, fresh, onRefusal }: RestDeps): Router => {
  const refuse = (res: Res, refusal: Parameters<typeof sendRefusal>[1]): void => {
    onRefusal?.(refusal.code);
    sendRefusal(res, refusal);
  };
  const router = Router();

  const peerByParam = async (req: Request, res: Res, queries: ReadModelQueries): Promise<UserRecord | undefined> => {
    const username = String(req.params['username'] ?? '');
    const peer = isUsername(username) ? await queries.userByUsername(username) : undefined;
    if (peer === undefined) sendError(res, 404, 'No such user');
    return peer;
  };

  router.get('/chats', async (req, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    res.json(await (await fresh()).chatPreviews(res.locals.actor.userId, page.value));
  });

  router.put('/chats/:username', async (req, res: Res) => {
    const actor = res.locals.actor;
    const username = String(req.params['username'] ?? '');
    if (!isUsername(username)) return sendError(res, 404, 'No such user');
    const outcome = await openChat(deps, actor, username, correlationOf(req));
    if (isRefusal(outcome)) return refuse(res, outcome);
    // An existing chat (no event written) may have been created a moment ago by the other member:
    // its state came from the log, so wait for the log's head, not only for our own write.
    const queries = await fresh(outcome.position);
    const preview = await queries.chatPreview(actor.userId, outcome.chatId);
    if (preview === undefined) return sendError(res, 503, 'The chat is not readable yet: retry');
    const messages = await queries.messages(outcome.chatId, { limit: CHAT_MESSAGES, offset: 0 });
    const { unread_messages_count: _unread, last_message: _last, ...chat } = preview;
    res.status(outcome.created ? 201 : 200).json({ ...chat, messages: messages.items });
  });

  router.get('/chats/:username/messages', async (req, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    const queries = await fresh();
    const peer = await peerByParam(req, res, queries);
    if (peer === undefined) return;
    const chatId = chatIdFor(res.locals.actor.userId, peer.userId);
    if ((await queries.chat(chatId)) === undefined) return sendError(res, 404, 'No chat with this user');
    res.json(await queries.messages(chatId, page.value));
  });

  router.get('/notifications', async (req, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    const filter = parseReadFilter(req.query);
    if (!filter.ok) return sendError(res, 400, filter.msg);
    res.json(await (await fresh()).notifications(res.locals.actor.userId, filter.value, page.value));
  });

  router.post('/notifications/mark_all_as_read', async (req, res: Res) => {
    const outcome = await markAllNotificationsRead(deps, res.locals.actor, correlationOf(req));
    if (isRefusal(outcome)) return refuse(res, outcome);
    await fresh(outcome.position);
    res.json({ msg: 'All notifications marked as read' });
  });

  router.get('/blocks', async (req, res: Res) => {
    const page = parsePage(req.query);
    if (!page.ok) return sendError(res, 400, page.msg);
    const blocks = await (await fresh()).blocks(res.locals.actor.userId, page.value);
    res.json({ items: blocks.items.map(blockedView), count: blocks.count });
  });

  for (const [method, block] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    router[method]('/blocks/:username', async (req, res: Res) => {
      const username = String(req.params['username'] ?? '');
      if (!isUsername(username)) return sendError(res, 404, 'No such user');
      const outcome = await setBlock(deps, res.locals.actor, username, block, correlationOf(req));
      if (isRefusal(outcome)) return refuse(res, outcome);
      await fresh(outcome.position);
      res.json({ msg: block ? `${username} is blocked` : `${username} is unblocked` });
    });
  }

  return router;
};
