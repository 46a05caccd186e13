import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { left, right, isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { aggregatesOf } from '../application/aggregates/aggregates.js';
import { AggregateRepository } from '../application/aggregates/repository.js';
import { BlockersIndex } from '../application/blocks/blockers-index.js';
import { BlockGraph } from '../application/blocks/block-graph.js';
import { finishErasures } from '../application/erasure/erase-user.js';
import { Broadcaster } from '../application/broadcast/broadcaster.js';
import { invitationReactors } from '../application/invitations/reactors.js';
import type { RunningConsumer } from '../application/log/consumer.js';
import { LogProcessor } from '../application/log/log-processor.js';
import type { EventStore } from '../application/ports/event-store.js';
import { PresenceGraph } from '../application/presence/presence-graph.js';
import { ReactorRunner } from '../application/reactors/reactor-runner.js';
import { GenerationFollower } from '../application/read-models/generation-follower.js';
import { READ_MODEL_PROJECTION, readModelConsumer } from '../application/read-models/projection.js';
import { ReadSide, ReadSideUnavailable } from '../application/read-models/read-side.js';
import type { CommandDeps } from '../application/shared/deps.js';
import { newId } from '../application/shared/ids.js';
import { registerUser } from '../application/users/register.js';
import { ProfileDirectory } from '../application/users/profile-directory.js';
import { resolveJwtKeys } from '../infrastructure/auth/dev-secret.js';
import { tokenFromRequest } from '../infrastructure/auth/token-from-request.js';
import { TokenVerifier } from '../infrastructure/auth/token-verifier.js';
import type { Config } from '../infrastructure/config/config.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { openScheduling } from '../infrastructure/scheduler/agenda-scheduling.js';
import { openEventStore } from '../infrastructure/stores/open-event-store.js';
import { openKeys, type Keys } from '../infrastructure/stores/open-keys.js';
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
import { ledgerProofRouter, ledgerPublicRouter } from './http/ledger-router.js';
import { startLedger, type LedgerService } from './ledger-service.js';
import { restRouter } from './http/rest-router.js';
import { securityHeadersByPath } from './http/security-headers.js';
import { demoRouter } from './demo/demo-router.js';
import { Gateway } from './ws/gateway.js';
import { requestLog } from './http/request-log.js';
import { metricsRouter } from './metrics/metrics-router.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { SqliteReadModelStore } from '../infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { Hub } from './ws/hub.js';
import { userStream } from '../domain/user/user.js';

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly config: Config;
  readonly store: EventStore;
  /** The users' keys, the key ring opening and sealing personal data, the username index. */
  readonly keys: Keys;
  readonly readSide: ReadSide;
  readonly generations: GenerationFollower;
  readonly deps: CommandDeps;
  readonly log: LogProcessor;
  /** The read models' projection, on the log processor. */
  readonly projection: RunningConsumer;
  readonly broadcaster: Broadcaster;
  readonly hub: Hub;
  readonly profiles: ProfileDirectory;
  readonly ledger: LedgerService;
  readonly logger: Logger;
  /** Stop accepting, close sockets with 1001, finish in-flight commands, flush, close stores. */
  stop(): Promise<void>;
}

/** At shutdown, how long the reactors may take to react to what was stored before it. */
const REACTOR_DRAIN_MS = 3000;

/** Wires stores, application and interfaces: the one place that knows every adapter. */
export const startService = async (config: Config, logger: Logger = createLogger(config.logLevel, { node: config.nodeId })): Promise<RunningService> => {
  const keys = resolveJwtKeys(config);
  const verifier = new TokenVerifier(keys);
  const dataKeys = await openKeys(config);
  const store = await openEventStore(config, logger).catch(async (e: unknown) => {
    await dataKeys.close();
    throw e;
  });
  const snapshots = await openSnapshotStore(config);
  const generations = await openReadModelGenerations(config);
  const head = () => store.headPosition();
  const readSide = new ReadSide(await generations.open(await generations.current()), head, config.readYourWritesTimeoutMs);
  // Scheduling (agenda): opened before deps so that commands can schedule follow-ups; started below.
  const scheduling = await openScheduling(config, logger);
  // Made first, so appends are timed from the first one; what it watches is read when scraped.
  const serviceMetrics = new ServiceMetrics({
    nodeId: config.nodeId,
    store,
    // The gateway's count, not the hub's: a socket still in its set-up, or one whose close-out
    // never ran, is open as far as the node's memory is concerned.
    connections: (): number => gateway.size,
    projection: () => projection.tracker,
    broadcaster: () => broadcaster.tracker,
    ...(store instanceof SqliteEventStore ? { groupCommits: () => store.stats } : {}),
  });
  const repo = new AggregateRepository(store, dataKeys.personal, {
    cacheBytes: config.aggregateCacheMb * 1024 * 1024,
    ...(snapshots === undefined ? {} : { snapshots, snapshotEvery: config.snapshotEvery }),
    logger,
    newId,
    onAppend: (seconds) => serviceMetrics.appendSeconds.observe(seconds),
  });
  const aggregates = aggregatesOf(repo);
  // An erased user's profile leaves the aggregates' cache with their keys (live-feed.ts forgets them).
  dataKeys.personal.onForget((userId) => repo.forget(userStream(userId)));
  // The one follower of the log: every consumer below runs on it, each event decoded once.
  const log = new LogProcessor(store, dataKeys.personal, logger);
  // Before anything reads personal data: interrupted erasures finished, restored keys of erased users destroyed.
  const erasures = await finishErasures({ user: aggregates.user, keys: dataKeys.store, personal: dataKeys.personal, log, now: () => new Date(), newId });
  if (erasures.completed.length > 0 || erasures.keysDestroyed > 0)
    logger.warn({ completed: erasures.completed.length, keysDestroyed: erasures.keysDestroyed }, 'erasures finished at start');
  await log.start();
  const projection = log.run(
    readModelConsumer({
      name: READ_MODEL_PROJECTION,
      target: () => readSide.current,
      batching: { max: 5000, spacingMs: config.readModelCommitSpacingMs },
    }),
  );
  readSide.follow(projection.tracker);
  // Serving starts once the projection knows its checkpoint (read-your-writes waits on it).
  await projection.started;
  const blockers = new BlockersIndex(head, config.readYourWritesTimeoutMs);
  blockers.follow(log.run(blockers.consumer).tracker);
  const deps: CommandDeps = {
    aggregates,
    lookups: () => readSide.fresh(),
    blockers,
    usernames: dataKeys.usernames,
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
  };

  const follower = new GenerationFollower(await generations.current(), generations, readSide, projection, logger);
  follower.start();
  const presence = new PresenceGraph(config.presence.scope);
  const blockGraph = new BlockGraph();
  const hub = new Hub({ presence, blocks: blockGraph, coalesceMs: config.presence.coalesceMs, fanoutPerSecond: config.presence.fanoutPerSecond });
  const profiles = new ProfileDirectory(aggregates, dataKeys.usernames);
  const broadcaster = new Broadcaster(store, log, profiles, hub, presence, logger, blockGraph);
  await broadcaster.ready();
  await scheduling.start(deps);
  // Follow-up policies, each on one node at a time from its own checkpoint.
  const reactors = invitationReactors(deps, scheduling.scheduler).map(
    (reactor) => new ReactorRunner(reactor, log, store, scheduling.reactorCheckpoints, { owner: config.nodeId, leaseMs: config.presence.leaseTtlMs, logger }),
  );
  for (const r of reactors) r.start();
  // The tamper-evident ledger: one more consumer on the log, on one node at a time (the reactors' leases).
  const ledger = await startLedger(config, { log, events: store, leases: scheduling.reactorCheckpoints, lookups: () => readSide.fresh(), logger });

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
  app.use(readinessRouter({ store, projection, broadcaster, log, ledger: ledger.writer, logger }));
  app.use(ledgerPublicRouter(ledger.view));
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
    restRouter({ deps, fresh: (position) => readSide.fresh(position), onRefusal: (code) => serviceMetrics.refusal(code, 'rest') }),
    historyRouter({
      store,
      personal: dataKeys.personal,
      profiles,
      fresh: () => readSide.fresh(),
      scratch: () => SqliteReadModelStore.open({ path: ':memory:' }),
    }),
    ledgerProofRouter(ledger.view),
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
    log,
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
      await Promise.all([...reactors.map((r) => r.stop(REACTOR_DRAIN_MS)), ledger.stop(REACTOR_DRAIN_MS)]);
      await scheduling.stop({ releaseLease: closedOut });
      hub.stop();
      await follower.stop();
      await log.stop();
      await repo.flushSnapshots();
      await snapshots?.close();
      await store.close();
      await dataKeys.close();
      await readSide.current.close();
      await generations.close();
      logger.info('chat service stopped');
    })();
    return stopping;
  };

  return {
    url: `http://${host}:${port}`,
    port,
    config,
    store,
    keys: dataKeys,
    readSide,
    generations: follower,
    deps,
    log,
    projection,
    broadcaster,
    hub,
    profiles,
    ledger,
    logger,
    stop,
  };
};
