import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import type { TestService } from '../support/test-service.js';

/** 16 hex digits no file, answer or frame holds by chance. */
export const tag = (): string => randomBytes(8).toString('hex');

/**
 * A user whose every personal string is unique: username, nickname and avatar each carry a tag of
 * their own, the user id (`sub`) carries none of them (it is not personal data and stays in the log).
 */
export interface Person {
  readonly sub: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  /** Every personal string of theirs so far, and the tags inside them: what erasure must leave nowhere. */
  readonly secrets: string[];
  token(svc: TestService): string;
  /** A message content of theirs, remembered among their secrets. */
  say(what: string): string;
  http(svc: TestService, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  connect(svc: TestService, options?: { since?: string }): Promise<TestClient>;
}

export const person = (label: string): Person => {
  const [u, n, a] = [tag(), tag(), tag()];
  const username = `${label}${u}`;
  const nickname = `${label} nick ${n}`;
  const avatar = `https://img.example/${a}.png`;
  const secrets = [username, nickname, avatar, u, n, a];
  const p: Person = {
    sub: `sub-${randomUUID()}`,
    username,
    nickname,
    avatar,
    secrets,
    token: (svc) => svc.token(username, { sub: p.sub, nickname, avatar }),
    say: (what) => {
      const t = tag();
      secrets.push(t);
      return `${what} ${t}`;
    },
    http: (svc, method, path, body) => svc.http(method, path, { token: p.token(svc), ...(body === undefined ? {} : { body }) }),
    connect: (svc, options = {}) => svc.connect(username, { token: p.token(svc), ...options }),
  };
  return p;
};

/** Every file under `dir` (WAL and shm files included) that holds one of `needles`, as `file: needle`. */
export const filesHolding = (dir: string, needles: readonly string[]): string[] => {
  const files = (d: string): string[] => readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? files(join(d, name)) : [join(d, name)]));
  return files(dir).flatMap((file) => {
    const bytes = readFileSync(file);
    return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8'))).map((n) => `${relative(dir, file)}: ${n}`);
  });
};

/** The needles found in `text` (an answer, a frame, a tool's output). */
export const leaks = (text: string, needles: readonly string[]): string[] => needles.filter((n) => text.includes(n));

export const bodyOf = (res: { status: number; body: unknown }, status = 200): Record<string, unknown> => {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body).to.be.an('object');
  return res.body as Record<string, unknown>;
};

export const itemsOf = (res: { status: number; body: unknown }): Record<string, unknown>[] => {
  const items = bodyOf(res)['items'];
  expect(items).to.be.an('array');
  return items as Record<string, unknown>[];
};

/** `PUT /api/chats/{b}` as `a`: the chat id. */
export const openChat = async (svc: TestService, a: Person, b: Person): Promise<string> => {
  const res = await a.http(svc, 'PUT', `/api/chats/${b.username}`);
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  return String(bodyOf(res, res.status)['chat_id']);
};

/** Sends a message and waits until `to` got it: stored and projected (the frame follows the read models' commit only loosely, so REST reads wait for the head). */
export const exchange = async (from: TestClient, to: TestClient, chatId: string, content: string): Promise<void> => {
  from.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
  await to.next((f) => f.action === 'new_message' && f.data['content'] === content, 5000);
};
