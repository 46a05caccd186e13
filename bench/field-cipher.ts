/**
 * `npm run build && node dist/bench/field-cipher.js`
 *
 * Cost of sealing and opening one 100-character field through a loaded KeyRing (the hot path),
 * in µs per operation: the median of 7 runs of 20,000 operations, after a warm-up; then the
 * per-event write and read paths with and without a personal field.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyRing, keyIdsOf } from '../src/application/erasure/key-ring.js';
import type { DataKey, KeyStore } from '../src/application/erasure/key-store.js';
import { PersonalData } from '../src/application/erasure/personal-data.js';
import { decodeStored, toNewEvent } from '../src/application/log/stored.js';
import type { RecordedEvent } from '../src/application/ports/event-store.js';
import { positionOf } from '../src/application/ports/position.js';
import { domainEvents, type AnyDomainEvent } from '../src/domain/events.js';
import type { JsonObject } from '../src/domain/shared/json.js';
import { median } from './stats.js';

const key: DataKey = { keyId: randomBytes(16).toString('base64url'), userId: 'u1', key: randomBytes(32) };
const store: KeyStore = {
  currentKeys: async () => new Map([[key.userId, key]]),
  keysByIds: async () => new Map([[key.keyId, key]]),
  keyIdsOf: async () => new Map([[key.userId, key.keyId]]),
  destroyKeysOf: async () => 0,
  destroyKeys: async () => 0,
  usersWithKeys: async () => [key.userId],
  close: async () => {},
};

const N = 20_000;
const RUNS = 7;
const text = 'A message of one hundred characters, about what people type in a chat window, with an é in it'.padEnd(100, '.');
const place = { eventId: randomUUID(), path: 'data.content' };

const time = (op: () => void): number => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) op();
  return Number(process.hrtime.bigint() - start) / 1000 / N;
};

const ring = new KeyRing(store);
await ring.loadCurrent([key.userId]);
const sealed = ring.seal(key.userId, text, place);
await ring.load(keyIdsOf([sealed]));

let sink = 0;
const seal = (): void => void (sink += ring.seal(key.userId, text, place).length);
const open = (): void => {
  const r = ring.open(sealed, place);
  sink += r._tag === 'Opened' ? r.value.length : 0;
};
time(seal);
time(open);
const sealUs = median(Array.from({ length: RUNS }, () => time(seal)));
const openUs = median(Array.from({ length: RUNS }, () => time(open)));
process.stdout.write(
  `field cipher, ${[...text].length}-character field (${Buffer.byteLength(text)} bytes UTF-8, sealed ${sealed.length} chars), Node ${process.version}:\n` +
    `  seal ${sealUs.toFixed(2)} µs/op   open ${openUs.toFixed(2)} µs/op   (median of ${RUNS} × ${N}; ${sink > 0 ? 'ok' : '?'})\n`,
);

/**
 * The server's per-message path around the cipher: `toNewEvent` (checks, seals) and
 * `prepare` + `decodeStored` (opens, upcasts, decodes) of a MessageSent, next to the same calls for
 * MessagesRead, an event of about the same size with no personal field.
 */
const personal = new PersonalData(ring, (u) => `erased-${u}`);
const meta = { userId: 'u1', correlationId: randomUUID(), timestamp: new Date().toISOString() };
const at = new Date().toISOString();
const sent: AnyDomainEvent = {
  type: 'MessageSent',
  data: { chatId: randomUUID(), messageId: randomUUID(), senderId: key.userId, content: text, seq: 1, date: at, clientTimestamp: at },
};
const read: AnyDomainEvent = {
  type: 'MessagesRead',
  data: { chatId: randomUUID(), readerId: key.userId, senderId: 'u2', messageId: randomUUID(), throughSeq: 1, at },
};
const recordOf = async (e: AnyDomainEvent): Promise<RecordedEvent> => {
  const stored = await toNewEvent(domainEvents, e, meta, randomUUID(), personal);
  return { ...stored, data: JSON.parse(JSON.stringify(stored.data)) as JsonObject, streamId: 's', revision: 0, position: positionOf(1) };
};
const timeAsync = async (op: () => Promise<unknown>): Promise<number> => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await op();
  return Number(process.hrtime.bigint() - start) / 1000 / N;
};
const pathOf = async (e: AnyDomainEvent): Promise<{ write: number; read: number }> => {
  const record = await recordOf(e);
  const write = (): Promise<unknown> => toNewEvent(domainEvents, e, meta, randomUUID(), personal);
  const decode = async (): Promise<unknown> => {
    await personal.prepare(domainEvents, [record]);
    return decodeStored(domainEvents, record, personal);
  };
  await timeAsync(write);
  await timeAsync(decode);
  const writes: number[] = [];
  const reads: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    writes.push(await timeAsync(write));
    reads.push(await timeAsync(decode));
  }
  return { write: median(writes), read: median(reads) };
};
const withSeal = await pathOf(sent);
const without = await pathOf(read);
process.stdout.write(
  `  per event, toNewEvent + (prepare, decodeStored): MessageSent ${withSeal.write.toFixed(2)} + ${withSeal.read.toFixed(2)} µs, ` +
    `MessagesRead (nothing personal) ${without.write.toFixed(2)} + ${without.read.toFixed(2)} µs\n`,
);
