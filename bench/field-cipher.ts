/**
 * `npm run build && node dist/bench/field-cipher.js`
 *
 * Cost of sealing and opening one 100-character field through a loaded KeyRing (the hot path),
 * in µs per operation: the median of 7 runs of 20,000 operations, after a warm-up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyRing, keyIdsOf } from '../src/application/erasure/key-ring.js';
import type { DataKey, KeyStore } from '../src/application/erasure/key-store.js';

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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

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
