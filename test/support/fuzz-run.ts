import { randomUUID } from 'node:crypto';
import { TestClient } from './test-client.js';
import { generateFrame, type FuzzFrame } from './fuzz-frames.js';
import { prng } from './prng.js';
import type { ServerProcess } from './server-process.js';

export interface FuzzReport {
  readonly frames: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly mismatches: readonly string[];
  readonly reconnects: number;
  readonly ms: number;
  readonly slowestControlMs: number;
  readonly leftOnline: readonly string[];
}

/** Frames sent before their outcomes are read: refused frames keep the socket, so they are pipelined. */
const BATCH = 8;

/**
 * Sends `batch` (refused frames, then at most one that must close the socket) and reads what
 * each got, in order: an `error` frame (socket kept) or the close code.
 */
const outcomesOf = async (client: TestClient, batch: readonly FuzzFrame[]): Promise<Array<number | string>> => {
  for (const frame of batch) client.sendTextBytes(frame.payload);
  const outcomes: Array<number | string> = [];
  const closed = client.closed.then((c) => c.code);
  while (outcomes.length < batch.length) {
    const error = client.next((f) => f.action === 'error', 5000).then((f) => (f.data['code'] === 'rate_limited' ? 'rate_limited' : 'error'));
    const got = await Promise.race([closed, error.catch(() => closed)]);
    outcomes.push(got);
    if (got !== 'error') break;
  }
  return outcomes;
};

const api = async (server: ServerProcess, username: string, method: string, path: string): Promise<unknown> => {
  const res = await fetch(server.base + path, { method, headers: { authorization: `Bearer ${server.token(username)}` } });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status}`);
  return res.json();
};

/**
 * `users` fuzzing users in parallel against a server process (its own core), `frames` generated
 * frames in all, each sent alone and its outcome checked; a socket closed by a frame is replaced.
 * A control user's round trips measure responsiveness, and its chat list tells who is online.
 */
export const runFuzz = async (server: ServerProcess, o: { readonly frames: number; readonly users: number; readonly seed: number }): Promise<FuzzReport> => {
  const tag = randomUUID().slice(0, 6);
  const control = `control_${tag}`;
  const names = Array.from({ length: o.users }, (_, i) => `fuzz_${tag}_${i}`);
  for (const name of names) {
    await api(server, name, 'GET', '/api/chats/');
    await api(server, control, 'PUT', `/api/chats/${name}`);
  }
  const connect = (name: string) => TestClient.connect(`${server.wsUrl}?token=${server.token(name)}`);
  const watch = await connect(control);
  let fuzzing = true;
  let slowestControlMs = 0;
  const probing = (async () => {
    while (fuzzing) {
      const t0 = Date.now();
      const message = randomUUID();
      watch.send('notification', { message, type: 'probe' });
      await watch.next((f) => f.action === 'notification' && f.data['message'] === message, 5000);
      slowestControlMs = Math.max(slowestControlMs, Date.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const byOutcome: Record<string, number> = {};
  const mismatches: string[] = [];
  let sent = 0;
  let reconnects = 0;
  const started = Date.now();
  await Promise.all(
    names.map(async (name, i) => {
      const rand = prng(o.seed + i);
      const ctx = { username: name, userId: `id-${name}`, otherUserId: `id-${names[(i + 1) % names.length] ?? name}` };
      // An idle tab keeps the user online throughout, so each replaced socket costs its own open
      // and close, not a presence change for every socket; closing it at the end must then take
      // the user offline, which happens only if every fuzzed socket was counted out.
      const anchor = await connect(name);
      let client = await connect(name);
      let carried: FuzzFrame | undefined;
      while (sent < o.frames || carried !== undefined) {
        // 1007 and 1009 are the transport's verdicts, given on arrival, before frames queued
        // ahead of them are handled: such a frame is sent alone.
        const batch: FuzzFrame[] = carried === undefined ? [] : [carried];
        carried = undefined;
        while (batch.length < BATCH && sent < o.frames && batch[batch.length - 1]?.expected !== 1007 && batch[batch.length - 1]?.expected !== 1009) {
          const frame = generateFrame(rand, ctx);
          sent += 1;
          if ((frame.expected === 1007 || frame.expected === 1009) && batch.length > 0) {
            carried = frame;
            break;
          }
          batch.push(frame);
          if (frame.expected !== 'error') break;
        }
        const outcomes = await outcomesOf(client, batch);
        batch.forEach((frame, k) => {
          const got = outcomes[k] ?? 'not handled: an earlier frame closed the socket';
          byOutcome[String(got)] = (byOutcome[String(got)] ?? 0) + 1;
          if (got !== frame.expected && mismatches.length < 20) mismatches.push(`${frame.action} ${frame.mutation}: expected ${frame.expected}, got ${got}`);
        });
        if (outcomes[outcomes.length - 1] !== 'error') {
          reconnects += 1;
          client = await connect(name);
        }
      }
      await client.close();
      await anchor.close();
    }),
  );
  const ms = Date.now() - started;
  fuzzing = false;
  await probing;
  await watch.close();
  const deadline = Date.now() + 5000;
  let leftOnline: string[] = [];
  do {
    const page = (await api(server, control, 'GET', '/api/chats/?limit=100')) as { items: Array<{ username: string; is_online: boolean }> };
    leftOnline = page.items.filter((c) => c.is_online).map((c) => c.username);
    if (leftOnline.length > 0) await new Promise((r) => setTimeout(r, 100));
  } while (leftOnline.length > 0 && Date.now() < deadline);
  return { frames: sent, byOutcome, mismatches, reconnects, ms, slowestControlMs, leftOnline };
};
