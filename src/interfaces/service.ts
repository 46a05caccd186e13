import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { left, right, isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { Broadcaster } from '../application/broadcast/broadcaster.js';
import { PresenceGraph } from '../application/broadcast/presence-graph.js';
import { ProfileDirectory } from '../application/broadcast/profile-directory.js';
import { AggregateRepository } from '../application/commands/aggregate-repository.js';
import { BlockersIndex } from '../application/commands/blockers-index.js';
import type { CommandDeps } from '../application/commands/context.js';
import { newId } from '../application/commands/ids.js';
import { registerUser } from '../application/commands/users.js';
import type { EventStore } from '../application/ports/event-store.js';
import { GenerationFollower } from '../application/projections/generation-follower.js';
import { ProjectionRunner } from '../application/projections/projection-runner.js';
import { SwitchableReadModels } from '../application/projections/switchable-read-models.js';
import { projectReadModel } from '../application/projections/read-model-projection.js';
import { policies } from '../application/reactors/policies.js';
import { ReactorRunner } from '../application/reactors/reactor-runner.js';
import { catchUpWith, FreshQueries, ReadSideUnavailable } from '../application/queries/fresh-queries.js';
import { resolveJwtKeys } from '../infrastructure/auth/dev-secret.js';
import { tokenFromRequest } from '../infrastructure/auth/token-from-request.js';
import { TokenVerifier } from '../infrastructure/auth/token-verifier.js';
import type { Config } from '../infrastructure/config/config.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { openScheduling } from '../infrastructure/scheduler/agenda-scheduling.js';
import { openEventStore } from '../infrastructure/stores/open-event-store.js';
import { openReadModelGenerations } from '../infrastructure/stores/open-read-models.js';
import { openSnapshotStore } from '../infrastructure/stores/open-snapshot-store.js';
import { requireAuth, type Authenticate } from './http/auth-middleware.js';
import { answerClientError } from './http/client-error.js';
import { corsPolicy } from './http/cors-policy.js';
import { crossSiteGuard } from './http/cross-site-guard.js';
import { sendError } from './http/errors.js';
import { docsRouter } from './docs/docs-router.js';
import { historyRouter } from './http/history-router.js';
import { readinessRouter } from './http/readiness.js';
import { restRouter } from './http/rest-router.js';
import { securityHeadersByPath } from './http/security-headers.js';
import { demoRouter } from './demo/demo-router.js';
import { Gateway } from './ws/gateway.js';
import { requestLog } from './http/request-log.js';
import { metricsRouter } from './metrics/metrics-router.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { TimedEventStore } from './metrics/timed-event-store.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { Hub } from './ws/hub.js';

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly config: Config;
  readonly store: EventStore;
  readonly readModels: SwitchableReadModels;
  readonly generations: GenerationFollower;
  readonly deps: CommandDeps;
  readonly projections: ProjectionRunner;
  readonly broadcaster: Broadcaster;
  readonly hub: Hub;
  readonly profiles: ProfileDirectory;
  readonly logger: Logger;
  /** Stop accepting, close sockets with 1001, finish in-flight commands, flush, close stores. */
  stop(): Promise<void>;
}

export const READ_MODEL_PROJECTION = 'read-models';
/** At shutdown, how long the reactors may take to react to what was stored before it. */
const REACTOR_DRAIN_MS = 3000;

/** Wires stores, application and interfaces: the one place that knows every adapter. */
export const startService = async (config: Config, logger: Logger = createLogger(config.logLevel, { node: config.nodeId })): Promise<RunningService> => {
  const keys = resolveJwtKeys(config);
  const verifier = new TokenVerifier(keys);
  const store = await openEventStore(config, logger);
  const snapshots = await openSnapshotStore(config);
  const generations = await openReadModelGenerations(config);
  const readModels = new SwitchableReadModels(await generations.open(await generations.current()));
  // Scheduling (agenda): opened before deps so that commands can schedule follow-ups; started below.
  const scheduling = await openScheduling(config, logger);
  // Made first, so appends are timed from the first one; what it watches is read when scraped.
  const serviceMetrics = new ServiceMetrics({
    nodeId: config.nodeId,
    store,
    connections: () => hub.size,
    projection: () => projections.tracker,
    broadcaster: () => broadcaster.tracker,
    ...(store instanceof SqliteEventStore ? { groupCommits: () => store.stats } : {}),
  });
  const repo = new AggregateRepository(new TimedEventStore(store, (seconds) => serviceMetrics.appendSeconds.observe(seconds)), {
    cacheBytes: config.aggregateCacheMb * 1024 * 1024,
    ...(snapshots === undefined ? {} : { snapshots, snapshotEvery: config.snapshotEvery }),
    logger,
  });
  const projections = new ProjectionRunner(READ_MODEL_PROJECTION, projectReadModel, store, readModels, logger, 5000, config.readModelCommitSpacingMs);
  // Reads wait for the log's head as it was when they were asked; past the bound they fail (503 / `unavailable`), never answer stale.
  const caughtUp = catchUpWith(
    () => store.headPosition(),
    (p, ms) => projections.tracker.waitFor(p, ms),
    config.readYourWritesTimeoutMs,
  );
  const blockers = new BlockersIndex(store);
  const deps: CommandDeps = {
    repo,
    queries: new FreshQueries(readModels, caughtUp),
    blockers,
    policies: {
      nodeId: config.nodeId,
      inviteTtlMs: config.invites.ttlMs,
      inviteRateLimit: { max: config.invites.rateMax, windowMs: config.invites.rateWindowMs },
      gameGraceMs: config.invites.gameGraceMs,
      activityThrottleMs: config.presence.activityThrottleMs,
    },
    now: () => new Date(),
    newId,
    scheduler: scheduling.scheduler,
    log: store,
  };

  await projections.start();
  const follower = new GenerationFollower(await generations.current(), generations, readModels, projections, logger);
  follower.start();
  const presence = new PresenceGraph(config.presence.scope);
  const hub = new Hub({ presence, coalesceMs: config.presence.coalesceMs, fanoutPerSecond: config.presence.fanoutPerSecond });
  const profiles = new ProfileDirectory(repo);
  const broadcaster = new Broadcaster(store, profiles, hub, logger, presence);
  await broadcaster.start();
  await scheduling.start(deps);
  // Follow-up policies, each on one node at a time from its own checkpoint.
  const reactors = policies(deps, scheduling.scheduler).map(
    (reactor) => new ReactorRunner(reactor, store, scheduling.reactorCheckpoints, { owner: config.nodeId, leaseMs: config.presence.leaseTtlMs, logger }),
  );
  for (const r of reactors) r.start();
  blockers.refresh().catch((err: unknown) => logger.warn({ err }, 'could not read the block streams ahead: the first tournament announcement will'));

  const authenticateWs = (req: Parameters<Authenticate>[0]) => {
    const token = tokenFromRequest(req, { allowQuery: true });
    if (token === undefined) return left({ code: 'missing_token', msg: 'A token is required' });
    return verifier.verify(token);
  };
  const authenticateRest: Authenticate = (req) => {
    const token = tokenFromRequest(req, { allowQuery: false });
    if (token === undefined) return left({ code: 'missing_token', msg: 'A token is required' });
    const identity = verifier.verify(token);
    return isLeft(identity) ? identity : right(identity.right);
  };

  const allowedOrigins = new Set(config.allowedOrigins);
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(logger, serviceMetrics));
  app.use(securityHeadersByPath());
  // CORS first: preflights are answered without a token; other origins' get no CORS header.
  app.use('/api', corsPolicy(allowedOrigins));
  app.options('/api/{*path}', (_req, res) => {
    res.status(204).end();
  });
  app.use(express.json({ limit: '64kb' }));
  app.get(['/healthz', '/healthz/'], (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(readinessRouter({ store, projection: projections, broadcaster, logger }));
  const register = async (actor: Parameters<typeof registerUser>[1]) => {
    await registerUser(deps, actor, randomUUID());
  };
  app.use(docsRouter());
  // The demo app; it mints tokens only with the generated development secret.
  app.use(demoRouter({ devSecret: keys.generated ? keys.secret : undefined }));
  app.use(metricsRouter(serviceMetrics, config.metricsToken));
  app.use(
    '/api',
    crossSiteGuard(allowedOrigins),
    requireAuth(authenticateRest, register),
    restRouter({ deps, caughtUp, queries: readModels, onRefusal: (code) => serviceMetrics.refusal(code, 'rest') }),
    historyRouter(deps, store, profiles),
  );
  app.use((_req, res) => sendError(res, 404, 'Not found'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ReadSideUnavailable) {
      res.setHeader('Retry-After', '1');
      return sendError(res, 503, err.message);
    }
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) logger.error({ err }, 'request failed');
    sendError(res, status, status >= 500 ? 'Internal server error' : 'Bad request');
  });

  const gateway = new Gateway({
    deps,
    store,
    profiles,
    hub,
    authenticate: authenticateWs,
    broadcasterTracker: broadcaster.tracker,
    limits: {
      maxBufferedBytes: config.ws.maxBufferedBytes,
      ratePerSecond: config.ws.ratePerSecond,
      rateBurst: config.ws.rateBurst,
      rateWarnings: config.ws.rateWarnings,
      activityThrottleMs: config.presence.activityThrottleMs,
      maxQueuedFrames: config.ws.rateBurst + config.ws.rateWarnings + 8,
      resumeMaxFrames: config.ws.resumeMaxFrames,
      ackWaitMs: config.readYourWritesTimeoutMs,
    },
    heartbeat: { intervalMs: config.ws.pingIntervalMs, timeoutMs: config.ws.pongTimeoutMs },
    metrics: serviceMetrics,
    logger,
    allowedOrigins,
  });

  // Slow or silent clients are answered 408 and dropped within the configured bounds (node checks every second).
  const server: Server = createServer(
    { headersTimeout: config.http.headersTimeoutMs, requestTimeout: config.http.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    app,
  );
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info(
    {
      port,
      host: config.host,
      store: config.eventStoreUrl === undefined ? 'sqlite' : 'eventstoredb',
      readModels: config.mongoUrl === undefined ? 'sqlite' : 'mongodb',
    },
    'chat service listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The close-out of every socket is written before any store closes; if one could not be,
      // the lease is kept so that it lapses and another node (or the next start) closes them out.
      const closedOut = await gateway.drain();
      server.closeAllConnections();
      await closed;
      if (!closedOut) logger.warn('some connections could not be closed out: the node lease is left to lapse');
      await Promise.all(reactors.map((r) => r.stop(REACTOR_DRAIN_MS)));
      await scheduling.stop({ releaseLease: closedOut });
      await broadcaster.stop();
      hub.stop();
      await follower.stop();
      await projections.stop();
      await repo.flushSnapshots();
      await snapshots?.close();
      await store.close();
      await readModels.close();
      await generations.close();
      logger.info('chat service stopped');
    })();
    return stopping;
  };

  return { url: `http://${host}:${port}`, port, config, store, readModels, generations: follower, deps, projections, broadcaster, hub, profiles, logger, stop };
};
