import { expect } from 'chai';
import { loadConfig, type Config } from '../../src/infrastructure/config/config.js';
import type { TestService } from '../support/test-service.js';

const defaults = loadConfig({});

/** Config overrides with a fast scheduler (nested sections merged over the defaults). */
export const fastScheduling = (
  o: { invites?: Partial<Config['invites']>; presence?: Partial<Config['presence']>; scheduler?: Partial<Config['scheduler']> } = {},
): Partial<Config> => ({
  invites: { ...defaults.invites, ...o.invites },
  presence: { ...defaults.presence, ...o.presence },
  scheduler: { ...defaults.scheduler, processEveryMs: 100, ...o.scheduler },
});

let counter = 0;
/** A fresh username per test: presence and invitations never leak between tests. */
export const uniq = (base: string): string => `${base}_${process.pid}_${++counter}`;

/** Makes users known and visible in the read models (the REST answer waits for projections). */
export const register = async (svc: TestService, ...usernames: string[]): Promise<void> => {
  for (const username of usernames) {
    const res = await svc.http('GET', '/api/chats/', { username });
    expect(res.status, `register ${username}`).to.equal(200);
  }
};

/** `is_online` of `username` as `viewer` sees it in REST (`PUT /api/chats/{username}`). */
export const isOnline = async (svc: TestService, viewer: string, username: string): Promise<boolean> => {
  const res = await svc.http('PUT', `/api/chats/${username}`, { username: viewer });
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  return (res.body as Record<string, unknown>)['is_online'] === true;
};

/** Polls until `check` holds (read models trail the broadcast frames by a few milliseconds). */
export const eventually = async (check: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
