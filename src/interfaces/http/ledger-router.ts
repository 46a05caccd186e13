import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Router, type Request, type Response } from 'express';
import type { LedgerView } from '../../application/ledger/ledger-view.js';
import type { AuthenticatedLocals } from './auth-middleware.js';
import { sendError } from './errors.js';

/** A tree size in a query: a decimal integer, no sign, no leading zero, safe in a double. */
const TreeSize = new t.Type<number, string, unknown>(
  'TreeSize',
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'string' && /^(0|[1-9]\d{0,15})$/.test(u) && Number.isSafeInteger(Number(u)) ? t.success(Number(u)) : t.failure(u, c)),
  String,
);
const ConsistencyQuery = t.type({ from: TreeSize, to: TreeSize });
const ProofQuery = t.type({ id: t.string });

/** How long a client may keep an answer that only grows: the checkpoint changes at most once a seal interval. */
const NO_STORE = 'no-store';

/**
 * The ledger's public routes, served without a token (mounted before `/api` authentication): the
 * latest signed checkpoint, the verifier key, consistency proofs. Anyone holding an older
 * checkpoint can check that the log only grew since.
 */
export const ledgerPublicRouter = (view: LedgerView): Router => {
  const router = Router();
  router.get('/api/ledger/checkpoint', async (_req, res) => {
    const latest = await view.latest();
    if (latest === undefined) {
      res.setHeader('Retry-After', '1');
      return sendError(res, 503, 'No checkpoint signed yet: retry');
    }
    res.setHeader('Cache-Control', NO_STORE);
    res.type('text/plain; charset=utf-8').send(latest.note);
  });
  router.get('/api/ledger/key', (_req, res) => {
    res.type('text/plain; charset=utf-8').send(`${view.verifierKey}\n`);
  });
  router.get('/api/ledger/consistency', async (req, res) => {
    const query = ConsistencyQuery.decode(req.query);
    if (isLeft(query)) return sendError(res, 400, 'from and to must be tree sizes (non-negative integers)');
    const answer = await view.consistency(query.right.from, query.right.to);
    if (!answer.ok) return sendError(res, 400, answer.msg);
    res.json({ from: answer.from, to: answer.to, hashes: answer.hashes });
  });
  return router;
};

type Res = Response<unknown, AuthenticatedLocals>;

/** `GET /api/ledger/proof?id=`: the inclusion proof of an event the caller may see; any other event is 404. */
export const ledgerProofRouter = (view: LedgerView): Router => {
  const router = Router();
  router.get('/ledger/proof', async (req: Request, res: Res) => {
    const query = ProofQuery.decode(req.query);
    if (isLeft(query) || query.right.id === '' || query.right.id.length > 200) return sendError(res, 400, 'id must be an event id');
    const answer = await view.proof(query.right.id, res.locals.actor.userId);
    if (answer.ok) return res.json(answer.proof);
    if (answer.reason === 'not_found') return sendError(res, 404, 'No such event');
    res.setHeader('Retry-After', '1');
    sendError(res, 503, 'The event is not in a signed checkpoint yet: retry');
  });
  return router;
};
