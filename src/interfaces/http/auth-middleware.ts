import type { IncomingMessage } from 'node:http';
import type { Either } from 'fp-ts/lib/Either.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../../application/shared/deps.js';
import { sendError } from './errors.js';

export interface AuthenticatedLocals {
  actor: Actor;
}

export type Authenticate = (req: IncomingMessage) => Either<{ readonly code: string; readonly msg: string }, Omit<Actor, 'connectionId'>>;

/** 401 with a JSON body unless the request carries a valid token; then the actor is known (registered) before the handler runs. */
export const requireAuth =
  (authenticate: Authenticate, register: (actor: Actor) => Promise<void>) =>
  async (req: Request, res: Response<unknown, AuthenticatedLocals>, next: NextFunction): Promise<void> => {
    const identity = authenticate(req);
    if (isLeft(identity)) return sendError(res, 401, identity.left.msg);
    const actor: Actor = { userId: identity.right.userId, username: identity.right.username, nickname: identity.right.nickname, avatar: identity.right.avatar };
    await register(actor);
    res.locals.actor = actor;
    next();
  };
