import type { Response } from 'express';
import type { Refusal, RefusalCode } from '../../domain/shared/decision.js';

/** Business refusal codes → HTTP statuses of PROTOCOL.md. */
const STATUS_OF: Partial<Readonly<Record<RefusalCode, number>>> = {
  user_not_found: 404,
  not_a_member: 404,
  cannot_chat_with_self: 422,
  cannot_block_self: 422,
  blocked: 403,
  forbidden: 403,
  rate_limited: 429,
};

export const sendError = (res: Response, status: number, msg: string): void => {
  res.status(status).json({ msg });
};

export const sendRefusal = (res: Response, refusal: Refusal): void => sendError(res, STATUS_OF[refusal.code] ?? 422, refusal.msg);
