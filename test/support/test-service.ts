import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ensureDevSecret } from '../../src/infrastructure/auth/dev-secret.js';
import { signDevToken } from '../../src/infrastructure/auth/token-signer.js';
import { loadConfig, type Config } from '../../src/infrastructure/config/config.js';
import { startService, type RunningService } from '../../src/interfaces/service.js';
import { checkHttpAnswer } from './contract.js';
import { TestClient } from './test-client.js';

export const TEST_SECRET = 'test-secret-for-mocha-only-0123456789abcdef';

export interface TestService {
  readonly service: RunningService;
  readonly dataDir: string;
  readonly wsUrl: string;
  /** A token for `username` (user id `id-<username>` unless given). */
  token(username: string, options?: { sub?: string; nickname?: string; avatar?: string; expiresInSeconds?: number }): string;
  connect(username: string, options?: { since?: string; token?: string; awaitReady?: boolean; autoPong?: boolean; presence?: string }): Promise<TestClient>;
  http(
    method: string,
    path: string,
    options?: { token?: string; username?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** A real server on an ephemeral port with its own data directory: tests go through real sockets. */
/** Config overrides; `ws` limits may be given in part. */
export type TestOverrides = Omit<Partial<Config>, 'ws' | 'invites' | 'presence'> & {
  readonly ws?: Partial<Config['ws']>;
  readonly invites?: Partial<Config['invites']>;
  readonly presence?: Partial<Config['presence']>;
};

/** `devSecret`: no JWT_SECRET, so the service generates its development secret (and `token` signs with it). */
export type TestServiceOptions = { readonly devSecret?: boolean };

export const startTestService = async (overrides: TestOverrides = {}, shared?: { dataDir: string }, options: TestServiceOptions = {}): Promise<TestService> => {
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'chat-test-'));
  const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  const base = loadConfig(options.devSecret === true ? env : { ...env, JWT_SECRET: TEST_SECRET });
  const config: Config = {
    ...base,
    ...overrides,
    ws: { ...base.ws, ...overrides.ws },
    invites: { ...base.invites, ...overrides.invites },
    presence: { ...base.presence, ...overrides.presence },
  };
  const service = await startService(config, createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent'));
  const wsUrl = service.url.replace('http', 'ws') + '/ws/events';
  const secret = options.devSecret === true ? ensureDevSecret(dataDir).secret : TEST_SECRET;
  const token: TestService['token'] = (username, o = {}) =>
    signDevToken({
      secret,
      userId: o.sub ?? `id-${username}`,
      username,
      ...(o.nickname === undefined ? {} : { nickname: o.nickname }),
      ...(o.avatar === undefined ? {} : { avatar: o.avatar }),
      expiresInSeconds: o.expiresInSeconds ?? 3600,
    });
  return {
    service,
    dataDir,
    wsUrl,
    token,
    connect: (username, o = {}) => {
      const params = new URLSearchParams({ token: o.token ?? token(username) });
      if (o.since !== undefined) params.set('since', o.since);
      if (o.presence !== undefined) params.set('presence', o.presence);
      return TestClient.connect(`${wsUrl}?${params.toString()}`, {
        ...(o.awaitReady === undefined ? {} : { awaitReady: o.awaitReady }),
        ...(o.autoPong === undefined ? {} : { autoPong: o.autoPong }),
      });
    },
    http: async (method, path, o = {}) => {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const tok = o.token ?? (o.username === undefined ? undefined : token(o.username));
      if (tok !== undefined) headers['authorization'] = `Bearer ${tok}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(service.url + path, { method, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Non-JSON bodies are returned as text so a test can assert they never happen.
      }
      checkHttpAnswer(method, path, res.status, body);
      return { status: res.status, body };
    },
    stop: async () => {
      await service.stop();
      if (shared === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
