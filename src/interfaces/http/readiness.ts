import type { Logger } from 'pino';
import { Router } from 'express';
import type { EventStore } from '../../application/ports/event-store.js';
import type { PositionTracker } from '../../application/log/position-tracker.js';
import { sendError } from './errors.js';

export interface ReadinessSources {
  readonly store: EventStore;
  readonly projection: { readonly tracker: PositionTracker; readonly error: Error | undefined };
  readonly broadcaster: { readonly fault: Error | undefined };
  /** The log's live feed: `fault` while it cannot follow the log. */
  readonly log: { readonly fault: Error | undefined };
  /** The ledger on this node: a `problem` when it stopped sealing (the log differs from what it sealed) or cannot append. */
  readonly ledger: { readonly problem: string | undefined };
  readonly logger: Logger;
}

/** A write probe's answer is reused this long: anyone may poll `/readyz`, and each probe is a commit. */
const PROBE_REUSE_MS = 1000;

/** One probe at a time, its outcome shared by every caller within `reuseMs`. */
const sharedProbe = (probe: () => Promise<void>, reuseMs: number): (() => Promise<void>) => {
  let last: { readonly at: number; readonly outcome: Promise<void> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at >= reuseMs) last = { at: now, outcome: probe() };
    return last.outcome;
  };
};

/** `GET /readyz`: 200 only when the log can take an append and the read side is caught up. */
export const readinessRouter = (s: ReadinessSources): Router => {
  const writable = sharedProbe(() => s.store.checkWritable(), PROBE_REUSE_MS);
  const router = Router();
  router.get(['/readyz', '/readyz/'], async (_req, res) => {
    try {
      await writable();
    } catch (err) {
      s.logger.warn({ err }, 'readiness: the event store cannot write');
      return sendError(res, 503, `the event store cannot write: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const head = await s.store.headPosition();
      const caught = head === undefined || (await s.projection.tracker.waitFor(head, 1000));
      if (s.projection.error !== undefined) return sendError(res, 503, `projection stopped: ${s.projection.error.message}`);
      if (s.log.fault !== undefined) return sendError(res, 503, `cannot follow the log: ${s.log.fault.message}`);
      if (s.broadcaster.fault !== undefined) return sendError(res, 503, `broadcaster cannot advance: ${s.broadcaster.fault.message}`);
      if (s.ledger.problem !== undefined) return sendError(res, 503, s.ledger.problem);
      if (!caught) return sendError(res, 503, 'read models are catching up');
      res.json({ status: 'ready' });
    } catch (err) {
      s.logger.warn({ err }, 'readiness check failed');
      sendError(res, 503, 'stores unreachable');
    }
  });
  return router;
};
