/**
 * A chat of N stored messages after a restart: what its first command costs once the chat is
 * snapshotted, and its commands after that.
 *
 *  1. seed: one chat of N messages (every one with a client_msg_id, a like toggle every 10th),
 *     written through the embedded store's batch append, not the socket path; and a second chat
 *     of a few thousand, to warm the process up on;
 *  2. prime: a service on that data directory projects the log, then one `new_message` in each
 *     chat replays it whole and writes its snapshot; stop;
 *  3. measure, in a fresh process run with --expose-gc on the same data directory: three
 *     commands in the second chat (so that the code paths, snapshot loading included, are warm),
 *     a fourth as a control, then the cold `new_message` in the long chat (ms) and the RSS and
 *     heap it added (MiB), each read after a full GC on an idle process; then p50/p99 over
 *     `--warm` more commands;
 *  4. the same cold command in another fresh process with the long chat's snapshot deleted
 *     first: what it costs without one (the chat replayed whole).
 *
 * `node dist/bench/long-chat.js --messages 1000000 [--warm 1000] [--keep]`; prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sendMessage } from '../src/application/chat/messages.js';
import type { Actor } from '../src/application/shared/deps.js';
import { toNewEvent } from '../src/application/log/stored.js';
import { newId } from '../src/application/shared/ids.js';
import { chatStream } from '../src/domain/chat/chat.js';
import { chatEvents, type ChatEvent } from '../src/domain/chat/events.js';
import { isRefusal } from '../src/domain/shared/decision.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { SqliteSnapshotStore } from '../src/infrastructure/snapshots/sqlite-snapshot-store.js';
import { startService, type RunningService } from '../src/interfaces/service.js';
import { round, summarise } from './stats.js';
import { benchKeys } from './bench-keys.js';

export interface LongChatOptions {
  readonly messages: number;
  /** Commands timed after the cold one. Default 1000. */
  readonly warm?: number;
  /** Keep the data directory (its path is in the result). */
  readonly keep?: boolean;
}

export interface LongChatResult {
  readonly messages: number;
  readonly seedSeconds: number;
  readonly projectSeconds: number;
  /** The cold command in a fresh process without the snapshot: the whole stream replayed. */
  readonly withoutSnapshotColdMs: number;
  readonly withoutSnapshotRssMiB: number;
  readonly snapshotRevision: number | undefined;
  readonly snapshotKiB: number | undefined;
  /** After the restart, with the snapshot. */
  readonly coldMs: number;
  readonly coldRssMiB: number;
  /** The JS heap it added (after a GC): what the process keeps of it, the cached state mostly. */
  readonly coldHeapMiB: number;
  /** The same measure around a command on the warm chat, already loaded: the noise floor. */
  readonly controlRssMiB: number;
  readonly warmP50Ms: number;
  readonly warmP99Ms: number;
  readonly dataDir?: string;
}

const LONG_CHAT = '10000000-0000-4000-8000-000000000001';
const WARM_CHAT = '10000000-0000-4000-8000-000000000002';
const WARM_CHAT_MESSAGES = 3000;
const ALICE = 'id-bench-alice';
const BOB = 'id-bench-bob';
const BATCH = 5000;

const actor = (userId: string): Actor => ({ userId, username: userId.replace('id-', ''), nickname: '', avatar: '' });

const serviceOn = (dataDir: string): Promise<RunningService> => {
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    SQLITE_SYNCHRONOUS: 'NORMAL',
  });
  return startService(config, createLogger('silent'));
};

/** Waits until the read models reach the log's head (the first start projects the seeded log). */
const caughtUp = async (service: RunningService): Promise<void> => {
  const head = await service.store.headPosition();
  if (head !== undefined && !(await service.projection.tracker.waitFor(head, 30 * 60_000))) throw new Error('projection did not catch up');
};

const send = async (service: RunningService, chatId: string, content: string): Promise<number> => {
  const started = process.hrtime.bigint();
  const outcome = await sendMessage(service.deps, actor(ALICE), { chatId, content, timestamp: new Date().toISOString(), clientMsgId: randomUUID() }, 'bench');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (isRefusal(outcome)) throw new Error(`refused: ${outcome.code}`);
  return ms;
};

const seed = async (dataDir: string, messages: number): Promise<void> => {
  const store = SqliteEventStore.open({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
  // The keys the service on this DATA_DIR will read the messages with.
  const keys = benchKeys(dataDir);
  try {
    const at = new Date().toISOString();
    const meta = { correlationId: 'seed', timestamp: at };
    const created = (chatId: string): ChatEvent => ({ type: 'ChatCreated', data: { chatId, members: [ALICE, BOB], createdBy: ALICE, at } });
    const sent = (chatId: string, seq: number): ChatEvent => ({
      type: 'MessageSent',
      data: {
        chatId,
        messageId: randomUUID(),
        senderId: seq % 2 === 0 ? ALICE : BOB,
        content: `message ${seq}`,
        seq,
        date: at,
        clientTimestamp: at,
        clientMsgId: randomUUID(),
      },
    });
    const chat = async (chatId: string, count: number): Promise<void> => {
      let revision = -1;
      let batch: ChatEvent[] = [created(chatId)];
      const flush = async (): Promise<void> => {
        const result = await store.append(
          chatStream(chatId),
          await Promise.all(batch.map((e) => toNewEvent(chatEvents, e, meta, newId(), keys.personal))),
          revision < 0 ? 'no_stream' : revision,
        );
        if (result._tag !== 'Appended') throw new Error('seed conflicted');
        revision = result.nextRevision;
        batch = [];
      };
      for (let seq = 1; seq <= count; seq++) {
        const message = sent(chatId, seq);
        batch.push(message);
        // Bob toggles a like on every 10th message: the like window fills up too.
        if (seq % 10 === 0 && message.type === 'MessageSent') {
          const data = { chatId, messageId: message.data.messageId, userId: BOB, at };
          batch.push(seq % 20 === 0 ? { type: 'MessageLiked', data } : { type: 'MessageUnliked', data });
        }
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length > 0) await flush();
    };
    await chat(WARM_CHAT, WARM_CHAT_MESSAGES);
    await chat(LONG_CHAT, messages);
  } finally {
    await keys.close();
    await store.close();
  }
};

/** Phase 3, in its own process (run with --expose-gc): the numbers after the restart. */
type Measured = Pick<LongChatResult, 'coldMs' | 'coldRssMiB' | 'coldHeapMiB' | 'controlRssMiB' | 'warmP50Ms' | 'warmP99Ms'>;
const MiB = 1024 * 1024;
const WARM_UP_COMMANDS = 3;

/**
 * A full GC once the process has gone idle: the background snapshot write and timers of the
 * command before have run, and V8 has settled its young generation. A single GC right after a
 * burst leaves the young generation mid-resize (16 MiB of heapTotal back and forth), which is the
 * process's, not the chat's.
 */
const settled = async (gc: () => void): Promise<NodeJS.MemoryUsage> => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  return process.memoryUsage();
};

/** RSS and heap (MiB) that one command adds, each read on a settled process. */
const added = async <T>(gc: () => void, command: () => Promise<T>): Promise<{ result: T; rssMiB: number; heapMiB: number }> => {
  const before = await settled(gc);
  const result = await command();
  const after = await settled(gc);
  return { result, rssMiB: (after.rss - before.rss) / MiB, heapMiB: (after.heapUsed - before.heapUsed) / MiB };
};

const measure = async (dataDir: string, warm: number, withoutSnapshot: boolean): Promise<Measured> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  if (withoutSnapshot) {
    const snapshots = SqliteSnapshotStore.open({ path: join(dataDir, 'snapshots.db') });
    await snapshots.delete(chatStream(LONG_CHAT));
    await snapshots.close();
  }
  const service = await serviceOn(dataDir);
  try {
    await caughtUp(service);
    for (let i = 0; i < WARM_UP_COMMANDS; i++) await send(service, WARM_CHAT, 'warm the code paths');
    const control = await added(gc, () => send(service, WARM_CHAT, 'control'));
    const cold = await added(gc, () => send(service, LONG_CHAT, 'first after the restart'));
    const times: number[] = [];
    for (let i = 0; i < warm; i++) times.push(await send(service, LONG_CHAT, `warm ${i}`));
    const warmTimes = summarise(times);
    return {
      coldMs: round(cold.result, 2),
      coldRssMiB: round(cold.rssMiB, 2),
      coldHeapMiB: round(cold.heapMiB, 2),
      controlRssMiB: round(control.rssMiB, 2),
      warmP50Ms: warmTimes.p50,
      warmP99Ms: warmTimes.p99,
    };
  } finally {
    await service.stop();
  }
};

const inChild = (dataDir: string, warm: number, withoutSnapshot = false): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const args = [
      '--expose-gc',
      fileURLToPath(import.meta.url),
      '--measure',
      dataDir,
      '--warm',
      String(warm),
      ...(withoutSnapshot ? ['--without-snapshot'] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Measured) : reject(new Error(`measure exited ${code}`))));
  });

export const runLongChat = async (opts: LongChatOptions): Promise<LongChatResult> => {
  const warm = opts.warm ?? 1000;
  const dataDir = mkdtempSync(join(tmpdir(), 'long-chat-'));
  try {
    let started = Date.now();
    await seed(dataDir, opts.messages);
    const seedSeconds = (Date.now() - started) / 1000;

    started = Date.now();
    const primer = await serviceOn(dataDir);
    let projectSeconds: number;
    try {
      await caughtUp(primer);
      projectSeconds = (Date.now() - started) / 1000;
      await send(primer, WARM_CHAT, 'first, before any snapshot');
      await send(primer, LONG_CHAT, 'first, before any snapshot');
    } finally {
      await primer.stop();
    }

    const snapshots = SqliteSnapshotStore.open({ path: join(dataDir, 'snapshots.db') });
    const snapshot = await snapshots.load(chatStream(LONG_CHAT));
    await snapshots.close();

    const measured = await inChild(dataDir, warm);
    const without = await inChild(dataDir, 0, true);
    return {
      messages: opts.messages,
      seedSeconds: round(seedSeconds, 1),
      projectSeconds: round(projectSeconds, 1),
      withoutSnapshotColdMs: without.coldMs,
      withoutSnapshotRssMiB: without.coldRssMiB,
      snapshotRevision: snapshot?.revision,
      snapshotKiB: snapshot === undefined ? undefined : round(JSON.stringify(snapshot.state).length / 1024, 1),
      ...measured,
      ...(opts.keep === true ? { dataDir } : {}),
    };
  } finally {
    if (opts.keep !== true) rmSync(dataDir, { recursive: true, force: true });
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      warm: { type: 'string' },
      keep: { type: 'boolean' },
      measure: { type: 'string' },
      'without-snapshot': { type: 'boolean' },
    },
  });
  const warm = Number(values.warm ?? 1000);
  const run =
    values.measure !== undefined
      ? measure(values.measure, warm, values['without-snapshot'] === true)
      : runLongChat({ messages: Number(values.messages ?? 100_000), warm, ...(values.keep === true ? { keep: true } : {}) });
  run.then(
    // Exits once the line is out: the embedded service's scheduler (agenda) leaves a timer of up
    // to 30 s behind its stop(), which would keep this process, and the bench waiting on it, alive.
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`long-chat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
