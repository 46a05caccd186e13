import { randomUUID } from 'node:crypto';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { describeBadVar, integer, oneOf, text, type EnvVar } from './env-var.js';
import { normaliseOrigin } from './origin.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../shared/wal-checkpointer.js';
import type { PresenceScopeName } from '../../application/presence/presence-graph.js';
import { isValidKeyName } from '../../application/ledger/checkpoint-note.js';

/** Environment variables, decoded at start-up so a typo fails fast, one line per bad variable. */
const Env = {
  NODE_ENV: text(),
  HOST: text(),
  PORT: integer(0, 65535),
  HTTP_HEADERS_TIMEOUT_MS: integer(1),
  HTTP_REQUEST_TIMEOUT_MS: integer(1),
  DATA_DIR: text(),
  JWT_SECRET: text({ secret: true }),
  JWT_PUBLIC_KEY: text({ secret: true }),
  DATA_KEY: text({ secret: true }),
  EVENTSTORE_URL: text(),
  MONGODB_URL: text(),
  LOG_LEVEL: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  LOG_FORMAT: oneOf('json', 'pretty'),
  NODE_ID: text(),
  INVITE_TTL_MS: integer(),
  INVITE_RATE_MAX: integer(),
  INVITE_RATE_WINDOW_MS: integer(),
  GAME_GRACE_MS: integer(),
  SWEEP_INTERVAL_MS: integer(),
  INACTIVITY_THRESHOLD_MS: integer(),
  ACTIVITY_THROTTLE_MS: integer(),
  LEASE_TTL_MS: integer(),
  PRESENCE_SCOPE: oneOf('all', 'contacts'),
  PRESENCE_COALESCE_MS: integer(1),
  PRESENCE_FANOUT_PER_SECOND: integer(1),
  SCHEDULER_PROCESS_EVERY_MS: integer(),
  SCHEDULER_LOCK_LIFETIME_MS: integer(),
  WS_MAX_BUFFERED_BYTES: integer(),
  WS_RATE_PER_SECOND: integer(),
  WS_RATE_BURST: integer(),
  WS_RATE_WARNINGS: integer(),
  WS_PING_INTERVAL_MS: integer(),
  WS_PONG_TIMEOUT_MS: integer(),
  WS_RESUME_MAX_FRAMES: integer(),
  READ_YOUR_WRITES_TIMEOUT_MS: integer(),
  EVENTSTORE_TIMEOUT_MS: integer(),
  SQLITE_SYNCHRONOUS: oneOf('FULL', 'NORMAL'),
  SQLITE_CHECKPOINT_MS: integer(),
  READ_MODEL_COMMIT_SPACING_MS: integer(),
  ALLOWED_ORIGINS: text(),
  METRICS_TOKEN: text({ secret: true }),
  AGGREGATE_CACHE_MB: integer(1),
  SNAPSHOT_EVERY: integer(),
  LEDGER_SEAL_INTERVAL_MS: integer(1),
  LEDGER_ORIGIN: text(),
  LEDGER_SIGNING_KEY: text(),
} as const;

/** The names `loadConfig` reads (each documented in the README's configuration table). */
export const ENV_VARIABLES: readonly string[] = Object.keys(Env);

type Env = { readonly [K in keyof typeof Env]: (typeof Env)[K] extends EnvVar<infer A> ? A | undefined : never };

/** Every set variable decoded, or one line per bad one. */
const decodeEnv = (env: NodeJS.ProcessEnv): Either<readonly string[], Env> => {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(Env) as [string, EnvVar<unknown>][]) {
    const raw = env[name];
    if (raw === undefined) continue;
    const decoded = v.decode(raw);
    if (isLeft(decoded)) problems.push(describeBadVar(name, v, raw, decoded.left));
    else values[name] = decoded.right;
  }
  return problems.length > 0 ? left(problems) : right(values as Env);
};

export interface Config {
  /** `NODE_ENV=production` (the image sets it): no development secret, no token minted over the network. */
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /**
   * A client must have sent its request headers within `headersMs`, and its whole request within
   * `requestMs`, or it is answered 408 and its socket destroyed (checked every second).
   */
  readonly http: { readonly headersTimeoutMs: number; readonly requestTimeoutMs: number };
  readonly dataDir: string;
  readonly jwtSecret: string | undefined;
  readonly jwtPublicKey: string | undefined;
  /**
   * The master secret of personal data (32 bytes, base64): wraps the users' data keys and keys the
   * username index. Unset: one generated under `dataDir` (`data-key`) on first start, and kept.
   */
  readonly dataKey: string | undefined;
  readonly eventStoreUrl: string | undefined;
  readonly mongoUrl: string | undefined;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  readonly nodeId: string;
  readonly invites: { readonly ttlMs: number; readonly rateMax: number; readonly rateWindowMs: number; readonly gameGraceMs: number };
  readonly presence: {
    readonly sweepIntervalMs: number;
    readonly inactivityThresholdMs: number;
    readonly activityThrottleMs: number;
    readonly leaseTtlMs: number;
    /** `all`: every online socket gets every user's presence; `contacts`: only users sharing a chat or a friendship, blocks hiding it both ways. */
    readonly scope: PresenceScopeName;
    /** Batched sockets (`?presence=batched`) get at most one `presence_diff` per window; this is the shortest. */
    readonly coalesceMs: number;
    /** The `presence_diff` frames per second one group's windows may cost: a group of more batched sockets than this × the window gets a longer window. */
    readonly fanoutPerSecond: number;
  };
  /** agenda: how often each node polls for due jobs, and how long a job's lock holds before another node may take it over. */
  readonly scheduler: { readonly processEveryMs: number; readonly lockLifetimeMs: number };
  readonly ws: {
    readonly maxBufferedBytes: number;
    readonly ratePerSecond: number;
    readonly rateBurst: number;
    readonly rateWarnings: number;
    readonly pingIntervalMs: number;
    readonly pongTimeoutMs: number;
    readonly resumeMaxFrames: number;
  };
  readonly readYourWritesTimeoutMs: number;
  readonly eventStoreTimeoutMs: number;
  readonly sqliteSynchronous: 'FULL' | 'NORMAL';
  /** How often a thread of their own checkpoints the SQLite files' WALs; 0: SQLite does, in the writers' commits. */
  readonly sqliteCheckpointMs: number;
  /** Shortest time between two read-model commits under load, unless a read waits for them. */
  readonly readModelCommitSpacingMs: number;
  /** Browser origins (`scheme://host[:port]`) that may use the REST API with CORS and open sockets. */
  readonly allowedOrigins: readonly string[];
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  /** Bound on the aggregate cache, by the deciders' size estimates, in MiB. */
  readonly aggregateCacheMb: number;
  /** A stream that opted in gets a new snapshot every this many events; 0 turns snapshots off. */
  readonly snapshotEvery: number;
  /** The tamper-evident ledger: a checkpoint at least every `sealIntervalMs` while events arrive, its origin line (and key name), the signing key's file (unset: generated under DATA_DIR). */
  readonly ledger: { readonly sealIntervalMs: number; readonly origin: string; readonly signingKeyFile: string | undefined };
}

/** A bad setting; the message has one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MINUTE = 60_000;

const parseOrigins = (raw: string | undefined): string[] => {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return entries.map((entry) => {
    const origin = normaliseOrigin(entry);
    if (origin === undefined)
      throw new ConfigError(`ALLOWED_ORIGINS entry ${JSON.stringify(entry)} is not an origin; expected scheme://host[:port], comma-separated`);
    return origin;
  });
};

/** The origin names the signing key too (C2SP): a key name, no space or '+'. */
const ledgerOrigin = (raw: string | undefined): string => {
  const origin = raw === undefined || raw === '' ? 'chat-events' : raw;
  if (!isValidKeyName(origin))
    throw new ConfigError(`LEDGER_ORIGIN ${JSON.stringify(origin)} must be one word without spaces or '+' (it names the signing key)`);
  return origin;
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config => {
  const decoded = decodeEnv(env);
  if (isLeft(decoded)) throw new ConfigError(decoded.left.join('\n'));
  const e = decoded.right;
  // node refuses a server whose headers may take longer than the whole request.
  if ((e.HTTP_HEADERS_TIMEOUT_MS ?? 10_000) > (e.HTTP_REQUEST_TIMEOUT_MS ?? 30_000))
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  const config: Config = {
    production: e.NODE_ENV === 'production',
    host: e.HOST ?? '0.0.0.0',
    port: e.PORT ?? 8080,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS ?? 10_000, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS ?? 30_000 },
    dataDir: e.DATA_DIR ?? './data',
    jwtSecret: e.JWT_SECRET,
    jwtPublicKey: e.JWT_PUBLIC_KEY,
    // Set but empty is refused where it is used (master-key.ts), never taken for unset.
    dataKey: e.DATA_KEY,
    eventStoreUrl: e.EVENTSTORE_URL === '' ? undefined : e.EVENTSTORE_URL,
    mongoUrl: e.MONGODB_URL === '' ? undefined : e.MONGODB_URL,
    logLevel: e.LOG_LEVEL ?? 'info',
    logFormat: e.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    nodeId: e.NODE_ID ?? randomUUID(),
    invites: {
      ttlMs: e.INVITE_TTL_MS ?? 5 * MINUTE,
      rateMax: e.INVITE_RATE_MAX ?? 10,
      rateWindowMs: e.INVITE_RATE_WINDOW_MS ?? MINUTE,
      gameGraceMs: e.GAME_GRACE_MS ?? 2 * MINUTE,
    },
    presence: {
      sweepIntervalMs: e.SWEEP_INTERVAL_MS ?? 30 * MINUTE,
      inactivityThresholdMs: e.INACTIVITY_THRESHOLD_MS ?? 30 * MINUTE,
      activityThrottleMs: e.ACTIVITY_THROTTLE_MS ?? MINUTE,
      leaseTtlMs: e.LEASE_TTL_MS ?? 30_000,
      scope: e.PRESENCE_SCOPE ?? 'all',
      coalesceMs: e.PRESENCE_COALESCE_MS ?? 1500,
      fanoutPerSecond: e.PRESENCE_FANOUT_PER_SECOND ?? 1000,
    },
    scheduler: {
      processEveryMs: e.SCHEDULER_PROCESS_EVERY_MS ?? 5_000,
      lockLifetimeMs: e.SCHEDULER_LOCK_LIFETIME_MS ?? MINUTE,
    },
    ws: {
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES ?? 1024 * 1024,
      ratePerSecond: e.WS_RATE_PER_SECOND ?? 20,
      rateBurst: e.WS_RATE_BURST ?? 40,
      rateWarnings: e.WS_RATE_WARNINGS ?? 3,
      pingIntervalMs: e.WS_PING_INTERVAL_MS ?? 25_000,
      pongTimeoutMs: e.WS_PONG_TIMEOUT_MS ?? 10_000,
      resumeMaxFrames: e.WS_RESUME_MAX_FRAMES ?? 10_000,
    },
    readYourWritesTimeoutMs: e.READ_YOUR_WRITES_TIMEOUT_MS ?? 2000,
    eventStoreTimeoutMs: e.EVENTSTORE_TIMEOUT_MS ?? 10_000,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS ?? 'FULL',
    sqliteCheckpointMs: e.SQLITE_CHECKPOINT_MS ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    readModelCommitSpacingMs: e.READ_MODEL_COMMIT_SPACING_MS ?? 20,
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
    metricsToken: e.METRICS_TOKEN === '' ? undefined : e.METRICS_TOKEN,
    aggregateCacheMb: e.AGGREGATE_CACHE_MB ?? 64,
    snapshotEvery: e.SNAPSHOT_EVERY ?? 500,
    ledger: {
      sealIntervalMs: e.LEDGER_SEAL_INTERVAL_MS ?? 1000,
      origin: ledgerOrigin(e.LEDGER_ORIGIN),
      signingKeyFile: e.LEDGER_SIGNING_KEY === '' ? undefined : e.LEDGER_SIGNING_KEY,
    },
  };
  return { ...config, ...overrides };
};
