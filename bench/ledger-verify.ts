/**
 * `npm run build && node dist/bench/ledger-verify.js [events]` (default 1,000,000; not run by the tests)
 *
 * What a full `ledger verify` costs beyond reading the log: recomputing every leaf and the root.
 * Synthetic events shaped like the service's MessageSent (encrypted content, uuid v7 ids, ~350-byte
 * leaves). Prints the whole pipeline's rate, then each step on its own, to show where the time goes.
 * Target for the CLI: ≥ 200,000 events/s on the 2-core machine.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJsonOf } from '../src/application/ledger/canonical-json.js';
import { dataHash, leafBytes, leafHash, leafJson, type LeafEvent } from '../src/application/ledger/leaf.js';
import { hashChildren } from '../src/application/ledger/merkle.js';

const count = Number(process.argv[2] ?? 1_000_000);

/** Distinct events, cycled to make `count`: a log's worth of objects would measure the garbage collector. */
const POOL = 50_000;
const pool: LeafEvent[] = Array.from({ length: Math.min(POOL, count) }, (_, i) => {
  const chatId = uuidv7();
  const timestamp = new Date(1_760_000_000_000 + i * 37).toISOString();
  return {
    id: uuidv7(),
    stream: `chat-${chatId}`,
    revision: i % 500,
    type: 'MessageSent',
    data: {
      chatId,
      messageId: uuidv7(),
      senderId: uuidv7(),
      content: { v: 1, key: uuidv7(), iv: 'q83vEjRWeJq8w7Id', ct: Buffer.alloc(48, i % 251).toString('base64') },
      seq: i,
      date: timestamp,
    },
    metadata: { userId: uuidv7(), correlationId: uuidv7(), timestamp, schemaVersion: 1 },
  };
});

function* eventsOf(n: number): Generator<LeafEvent> {
  for (let i = 0; i < n; i++) yield pool[i % pool.length] ?? fail();
}

const fail = (): never => {
  throw new Error('empty pool');
};

/** Root by the RFC's merge-as-you-go: what a verifier does after hashing each leaf. */
const rootOfStream = (hashes: Iterable<Buffer>): Buffer => {
  const stack: { level: number; hash: Buffer }[] = [];
  for (const hash of hashes) {
    let node = { level: 0, hash };
    for (let top = stack.at(-1); top?.level === node.level; top = stack.at(-1)) {
      stack.pop();
      node = { level: node.level + 1, hash: hashChildren(top.hash, node.hash) };
    }
    stack.push(node);
  }
  return stack.map((s) => s.hash).reduceRight((acc, h) => hashChildren(h, acc));
};

/** Wall time, and CPU time of this process: on a shared machine the second is the fairer figure. */
const time = <T>(label: string, f: () => T): T => {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  const result = f();
  const wallMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const rate = (ms: number): string =>
    Math.round(count / (ms / 1000))
      .toLocaleString('en')
      .padStart(10);
  console.log(
    `${label.padEnd(40)} wall ${(wallMs / 1000).toFixed(2).padStart(6)} s ${rate(wallMs)} events/s | cpu ${((cpuMs * 1000) / count).toFixed(2).padStart(5)} µs/event ${rate(cpuMs)} events/s`,
  );
  return result;
};

const first = pool[0] ?? fail();
console.log(
  `${count.toLocaleString('en')} events (${pool.length.toLocaleString('en')} distinct), leaf ${leafBytes(first).length} bytes, data ${canonicalJsonOf(first.data).length} bytes (canonical)`,
);

// Warm up the JIT, then measure.
for (const e of eventsOf(20_000)) leafHash(e);
function* leafHashesOf(n: number): Generator<Buffer> {
  for (const e of eventsOf(n)) yield leafHash(e);
}
const root = time('whole pipeline: leaves and root', () => rootOfStream(leafHashesOf(count)));
console.log(`root ${root.toString('base64')}`);

// Each stage adds one step to the previous one; the differences are what each step costs.
console.log('stages (cumulative):');
let sink = 0;
time('  canonical JSON of data', () => {
  for (const e of eventsOf(count)) sink += canonicalJsonOf(e.data).length;
});
time('  + its SHA-256, hex (data_hash)', () => {
  for (const e of eventsOf(count)) sink += dataHash(e.data).length;
});
time('  + the leaf text (canonical metadata)', () => {
  for (const e of eventsOf(count)) sink += leafJson(e).length;
});
time('  + SHA-256(0x00 ‖ UTF-8 of the leaf)', () => {
  for (const e of eventsOf(count)) sink += leafHash(e).length;
});
console.log(`  + the tree's n-1 inner nodes: the whole pipeline above (${sink > 0 ? 'done' : ''})`);
