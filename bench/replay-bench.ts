/**
 * Scenario (d): how fast the read models are rebuilt from the embedded log.
 * Generates a realistic log of N events once (users, chats, messages, likes, read receipts,
 * interleaved across chats) into `.bench/replay-log-<format>-<N>.db` (cached-log.ts), its personal data sealed with
 * keys kept in `.bench/replay-log-<format>-<N>.keys/` (keys.db and data-key, as under a DATA_DIR), then times:
 *  - scan: reading the whole log through a subscription (the store's read path alone),
 *  - decode: the scan plus decoding each event (decodeStored, personal data opened),
 *  - rebuild: the read models' consumer on a log processor, from empty into a fresh SqliteReadModelStore, until its
 *    tracker reaches the head (what a read-model rebuild does).
 * `node dist/bench/replay-bench.js <events> [--generate-only]`; prints one JSON line (with
 * `--generate-only`, just the cached log's path and its keys' directory: the long-log scenario of run.ts starts from them).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatIdFor, newId } from '../src/application/shared/ids.js';
import { LogProcessor } from '../src/application/log/log-processor.js';
import { decodeStored, toNewEvent } from '../src/application/log/stored.js';
import type { PersonalData } from '../src/application/erasure/personal-data.js';
import type { NewEvent, Position, RecordedEvent } from '../src/application/ports/event-store.js';
import { READ_MODEL_PROJECTION, readModelConsumer } from '../src/application/read-models/projection.js';
import { domainEvents, type AnyDomainEvent } from '../src/domain/events.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { SqliteReadModelStore } from '../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { prng } from '../test/support/prng.js';
import { round } from './stats.js';
import { benchKeys } from './bench-keys.js';
import { cachedLog } from './cached-log.js';
import { BENCH_DIR } from './processes.js';

export interface ReplayResult {
  readonly events: number;
  readonly logFileMiB: number;
  readonly generatedNow: boolean;
  readonly generateSeconds?: number;
  readonly scanSeconds: number;
  readonly scanEventsPerSecond: number;
  readonly decodeSeconds: number;
  readonly decodeEventsPerSecond: number;
  readonly rebuildSeconds: number;
  readonly rebuildEventsPerSecond: number;
  readonly mix: Readonly<Record<string, number>>;
}

const USERS = 2000;
const EVENTS_PER_CHAT = 200;
const ACTIVE_CHATS = 100;
const CHUNK = 10;
const CONTENTS = [
  'Hey, are you up for a game of pong later tonight?',
  'gg! that last rally was insane',
  'ok',
  'I will be online around 9, ranked or casual?',
  'Did you see the new tournament bracket? We are on the same side.',
  'lol',
  'brb',
  'Thanks for the game, see you tomorrow',
];

interface ChatGen {
  readonly chatId: string;
  readonly members: readonly [string, string];
  seq: number;
  created: boolean;
  remaining: number;
  /** Last message (id, seq) of each member, for likes and read receipts. */
  readonly last: Map<string, { id: string; seq: number }>;
}

const generate = async (path: string, total: number, personal: PersonalData): Promise<Record<string, number>> => {
  const random = prng(total);
  const mix: Record<string, number> = {};
  const store = SqliteEventStore.open({ path, synchronous: 'NORMAL' });
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const at = (): string => new Date((clock += 37)).toISOString();
  const emit = (e: AnyDomainEvent, userId: string): Promise<NewEvent> => {
    mix[e.type] = (mix[e.type] ?? 0) + 1;
    return toNewEvent(domainEvents, e, { userId, correlationId: randomUUID(), timestamp: new Date(clock).toISOString() }, newId(), personal);
  };
  const uid = (i: number): string => `user-${i}`;
  const users = Math.min(USERS, Math.max(2, Math.floor(total / 50)));
  let written = 0;
  // Users first (each in its own stream), in appends of many streams at once.
  const registrations: Promise<unknown>[] = [];
  for (let i = 0; i < users; i++) {
    const id = uid(i);
    const e: AnyDomainEvent = {
      type: 'UserRegistered',
      data: { userId: id, username: `player_${i}`, nickname: `Player ${i}`, avatar: `https://cdn.example/avatars/${i}.png`, at: at() },
    };
    registrations.push(emit(e, id).then((sealed) => store.append(`user-${id}`, [sealed], 'no_stream')));
  }
  await Promise.all(registrations);
  written += users;
  const pairs = new Set<string>();
  const newChat = (remaining: number): ChatGen => {
    for (;;) {
      const a = Math.floor(random() * users);
      const b = Math.floor(random() * users);
      const key = a < b ? `${a}:${b}` : `${b}:${a}`;
      if (a === b || pairs.has(key)) continue;
      pairs.add(key);
      const members: [string, string] = [uid(a), uid(b)];
      return { chatId: chatIdFor(members[0], members[1]), members, seq: 0, created: false, remaining, last: new Map() };
    }
  };
  const chunkOf = (c: ChatGen): Promise<NewEvent>[] => {
    const out: Promise<NewEvent>[] = [];
    if (!c.created) {
      c.created = true;
      c.remaining--;
      const [a, b] = c.members;
      out.push(emit({ type: 'ChatCreated', data: { chatId: c.chatId, members: a < b ? [a, b] : [b, a], createdBy: a, at: at() } }, a));
    }
    while (out.length < CHUNK && c.remaining > 0) {
      c.remaining--;
      const r = random();
      const who = random() < 0.5 ? 0 : 1;
      const me = c.members[who] ?? '';
      const other = c.members[1 - who] ?? '';
      const theirs = c.last.get(other);
      if (r < 0.1 && theirs !== undefined) {
        out.push(emit({ type: 'MessageLiked', data: { chatId: c.chatId, messageId: theirs.id, userId: me, at: at() } }, me));
      } else if (r < 0.2 && theirs !== undefined) {
        out.push(
          emit({ type: 'MessagesRead', data: { chatId: c.chatId, readerId: me, senderId: other, messageId: theirs.id, throughSeq: theirs.seq, at: at() } }, me),
        );
      } else {
        const messageId = newId();
        const seq = ++c.seq;
        const date = at();
        const content = CONTENTS[Math.floor(random() * CONTENTS.length)] ?? 'hi';
        c.last.set(me, { id: messageId, seq });
        out.push(emit({ type: 'MessageSent', data: { chatId: c.chatId, messageId, senderId: me, content, seq, date, clientTimestamp: date } }, me));
      }
    }
    return out;
  };
  let toAssign = total - written;
  const nextChat = (): ChatGen | undefined => {
    if (toAssign <= 0) return undefined;
    const n = Math.min(toAssign, EVENTS_PER_CHAT);
    toAssign -= n;
    return newChat(n);
  };
  const active: ChatGen[] = [];
  for (let i = 0; i < ACTIVE_CHATS; i++) {
    const c = nextChat();
    if (c !== undefined) active.push(c);
  }
  while (active.length > 0) {
    const appends: Promise<unknown>[] = [];
    for (let i = 0; i < active.length; i++) {
      const c = active[i];
      if (c === undefined) continue;
      const events = chunkOf(c);
      if (events.length > 0) appends.push(Promise.all(events).then((sealed) => store.append(`chat-${c.chatId}`, sealed, 'any')));
      written += events.length;
      if (c.remaining <= 0) {
        const replacement = nextChat();
        if (replacement === undefined) {
          active.splice(i, 1);
          i--;
        } else active[i] = replacement;
      }
    }
    await Promise.all(appends);
  }
  await store.close();
  return mix;
};

const countMix = async (store: SqliteEventStore): Promise<Record<string, number>> => {
  const mix: Record<string, number> = {};
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 10_000 });
    const last = page[page.length - 1];
    if (last === undefined) break;
    for (const e of page) mix[e.type] = (mix[e.type] ?? 0) + 1;
    after = last.position;
  }
  return mix;
};

/** Iterates a subscription from the start to the head; `work` runs per event. */
const scan = async (store: SqliteEventStore, head: Position, work: (e: RecordedEvent) => void | Promise<void>): Promise<number> => {
  const sub = store.subscribeAll({});
  let n = 0;
  for await (const e of sub) {
    await work(e);
    n++;
    if (e.position.commit >= head.commit) break;
  }
  await sub.close();
  return n;
};

const main = async (): Promise<void> => {
  const total = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(total) || total < 1000) throw new Error('usage: replay-bench <events ≥ 1000>');
  mkdirSync(BENCH_DIR, { recursive: true });
  const { logPath, keysDir } = cachedLog(total);
  let generateSeconds: number | undefined;
  let mix: Record<string, number> | undefined;
  if (!existsSync(logPath)) {
    const tmp = `${logPath}.${process.pid}.tmp`;
    const t0 = performance.now();
    // Keys made with the log: an earlier half-made run's are dropped with it.
    rmSync(keysDir, { recursive: true, force: true });
    const keys = benchKeys(keysDir);
    try {
      mix = await generate(tmp, total, keys.personal);
    } finally {
      await keys.close();
    }
    generateSeconds = round((performance.now() - t0) / 1000, 2);
    for (const suffix of ['-wal', '-shm']) rmSync(tmp + suffix, { force: true });
    renameSync(tmp, logPath);
  }
  if (process.argv.includes('--generate-only')) {
    process.stdout.write(`${JSON.stringify({ logPath, keysDir, ...(generateSeconds === undefined ? {} : { generateSeconds }) })}\n`);
    return;
  }
  const store = SqliteEventStore.open({ path: logPath, synchronous: 'NORMAL' });
  const { personal } = benchKeys(keysDir);
  // run.ts passes a directory it removes itself, even if this process is killed.
  const work = mkdtempSync(join(process.env['BENCH_WORK_DIR'] ?? tmpdir(), 'bench-replay-'));
  try {
    const head = await store.headPosition();
    if (head === undefined) throw new Error('empty log');
    mix ??= await countMix(store);
    const events = Number(head.commit);

    let t = performance.now();
    await scan(store, head, () => undefined);
    const scanSeconds = (performance.now() - t) / 1000;

    let decoded = 0;
    t = performance.now();
    await scan(store, head, async (e) => {
      await personal.prepare(domainEvents, [e]);
      if (decodeStored(domainEvents, e, personal) !== undefined) decoded++;
    });
    const decodeSeconds = (performance.now() - t) / 1000;
    if (decoded !== events) throw new Error(`decoded ${decoded} of ${events} events`);

    const readModels = SqliteReadModelStore.open({ path: join(work, 'readmodels.db') });
    const log = new LogProcessor(store, personal, createLogger('silent'));
    t = performance.now();
    await log.start();
    const runner = log.run(readModelConsumer({ name: READ_MODEL_PROJECTION, target: () => readModels, batching: { max: 5000 } }));
    const reached = await runner.tracker.waitFor(head, 15 * 60_000);
    const rebuildSeconds = (performance.now() - t) / 1000;
    const failure = runner.error;
    await log.stop();
    if (failure !== undefined) throw failure;
    if (!reached) throw new Error('rebuild did not reach the head within 15 minutes');
    await readModels.close();

    const result: ReplayResult = {
      events,
      logFileMiB: round(statSync(logPath).size / 1024 / 1024, 1),
      generatedNow: generateSeconds !== undefined,
      ...(generateSeconds === undefined ? {} : { generateSeconds }),
      scanSeconds: round(scanSeconds, 2),
      scanEventsPerSecond: Math.round(events / scanSeconds),
      decodeSeconds: round(decodeSeconds, 2),
      decodeEventsPerSecond: Math.round(events / decodeSeconds),
      rebuildSeconds: round(rebuildSeconds, 2),
      rebuildEventsPerSecond: Math.round(events / rebuildSeconds),
      mix,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
