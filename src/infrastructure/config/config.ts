import { randomUUID } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { normaliseOrigin } from './origin.js';

const IntFromString = new t.Type<number, string, unknown>(
  'IntFromString',
  (u): u is number => Number.isInteger(u),
  (u, c) => {
    if (typeof u !== 'string' || !/^\d+$/.test(u.trim())) return t.failure(u, c, 'expected a non-negative integer');
    return t.success(Number(u.trim()));
  },
  String,
);

const optional = <C extends t.Mixed>(codec: C) => t.union([codec, t.undefined]);

/** Environment variables, decoded at start-up so a typo fails fast with a clear message. */
const Env = t.type({
  HOST: optional(t.string),
  PORT: optional(IntFromString),
  DATA_DIR: optional(t.string),
  JWT_SECRET: optional(t.string),
  JWT_PUBLIC_KEY: optional(t.string),
  EVENTSTORE_URL: optional(t.string),
  MONGODB_URL: optional(t.string),
  LOG_LEVEL: optional(t.keyof({ fatal: null, error: null, warn: null, info: null, debug: null, trace: null, silent: null })),
  NODE_ID: optional(t.string),
  INVITE_TTL_MS: optional(IntFromString),
  INVITE_RATE_MAX: optional(IntFromString),
  INVITE_RATE_WINDOW_MS: optional(IntFromString),
  GAME_GRACE_MS: optional(IntFromString),
  SWEEP_INTERVAL_MS: optional(IntFromString),
  INACTIVITY_THRESHOLD_MS: optional(IntFromString),
  ACTIVITY_THROTTLE_MS: optional(IntFromString),
  LEASE_TTL_MS: optional(IntFromString),
  SCHEDULER_PROCESS_EVERY_MS: optional(IntFromString),
  SCHEDULER_LOCK_LIFETIME_MS: optional(IntFromString),
  WS_MAX_BUFFERED_BYTES: optional(IntFromString),
  WS_RATE_PER_SECOND: optional(IntFromString),
  WS_RATE_BURST: optional(IntFromString),
  WS_RATE_WARNINGS: optional(IntFromString),
  WS_PING_INTERVAL_MS: optional(IntFromString),
  WS_PONG_TIMEOUT_MS: optional(IntFromString),
  WS_RESUME_MAX_FRAMES: optional(IntFromString),
  READ_YOUR_WRITES_TIMEOUT_MS: optional(IntFromString),
  EVENTSTORE_TIMEOUT_MS: optional(IntFromString),
  SQLITE_SYNCHRONOUS: optional(t.keyof({ FULL: null, NORMAL: null })),
  ALLOWED_ORIGINS: optional(t.string),
});

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly jwtSecret: string | undefined;
  readonly jwtPublicKey: string | undefined;
  readonly eventStoreUrl: string | undefined;
  readonly mongoUrl: string | undefined;
  readonly logLevel: string;
  readonly nodeId: string;
  readonly invites: { readonly ttlMs: number; readonly rateMax: number; readonly rateWindowMs: number; readonly gameGraceMs: number };
  readonly presence: { readonly sweepIntervalMs: number; readonly inactivityThresholdMs: number; readonly activityThrottleMs: number; readonly leaseTtlMs: number };
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
  /** Browser origins (`scheme://host[:port]`) that may use the REST API with CORS and open sockets. */
  readonly allowedOrigins: readonly string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MINUTE = 60_000;

const parseOrigins = (raw: string | undefined): string[] => {
  const entries = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return entries.map((entry) => {
    const origin = normaliseOrigin(entry);
    if (origin === undefined) throw new ConfigError(`Invalid environment: ALLOWED_ORIGINS entry ${JSON.stringify(entry)} is not an origin (scheme://host[:port])`);
    return origin;
  });
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config => {
  const decoded = Env.decode(env);
  if (isLeft(decoded)) throw new ConfigError(`Invalid environment: ${PathReporter.report(decoded).join('; ')}`);
  const e = decoded.right;
  const config: Config = {
    host: e.HOST ?? '0.0.0.0',
    port: e.PORT ?? 8080,
    dataDir: e.DATA_DIR ?? './data',
    jwtSecret: e.JWT_SECRET,
    jwtPublicKey: e.JWT_PUBLIC_KEY,
    eventStoreUrl: e.EVENTSTORE_URL === '' ? undefined : e.EVENTSTORE_URL,
    mongoUrl: e.MONGODB_URL === '' ? undefined : e.MONGODB_URL,
    logLevel: e.LOG_LEVEL ?? 'info',
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
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
  };
  return { ...config, ...overrides };
};
