import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { sendError } from '../http/errors.js';
import type { ServiceMetrics } from './service-metrics.js';

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** `GET /metrics` in the Prometheus text format; with `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`. */
export const metricsRouter = (metrics: ServiceMetrics, token: string | undefined): Router => {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token !== undefined && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return sendError(res, 401, 'A metrics token is required');
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
};
