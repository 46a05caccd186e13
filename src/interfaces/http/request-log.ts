import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a sane token, else a new one. */
const requestIdOf = (req: IncomingMessage): string => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
};

/** The route pattern (`/api/chats/:username`), so that metrics do not get a label per user. */
const routeOf = (req: IncomingMessage): string => {
  const r = req as IncomingMessage & { readonly baseUrl?: string; readonly route?: { readonly path?: unknown } };
  const path = r.route?.path;
  return typeof path === 'string' ? `${r.baseUrl ?? ''}${path}` : 'unmatched';
};

/**
 * Every REST request logged once at info (errors at error), with a request id that is echoed as
 * `X-Request-Id` and used as the correlation id of the events the request stores; its latency
 * is observed by route and status.
 */
export const requestLog = (logger: Logger, metrics: ServiceMetrics): RequestHandler => {
  const log = pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    // Tokens travel in headers, cookies and the query: none of them is logged.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      metrics.restSeconds.observe({ route: routeOf(req), method: req.method, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    log(req, res, next);
  };
};
