import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerLeaf } from '../../src/application/ledger/ledger-store.js';
import { MerkleLog } from '../../src/application/ledger/merkle-log.js';
import { consistencyProof, hashChildren, inclusionProof, verifyConsistency, verifyInclusion } from '../../src/application/ledger/merkle.js';
import { SqliteLedgerStore } from '../../src/infrastructure/ledger/sqlite-ledger-store.js';

const SIZE = 1_000_000;
const BATCH = 5_000;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Roots of the first `sizes` leaves (ascending), in one pass: subtrees merged as they fill, the ragged edge folded at each size. */
const referenceRoots = (hashes: readonly Buffer[], sizes: readonly number[]): Map<number, Buffer> => {
  const roots = new Map<number, Buffer>();
  const stack: { level: number; hash: Buffer }[] = [];
  const wanted = new Set(sizes);
  hashes.forEach((hash, i) => {
    let node = { level: 0, hash };
    for (let top = stack.at(-1); top?.level === node.level; top = stack.at(-1)) {
      stack.pop();
      node = { level: node.level + 1, hash: hashChildren(top.hash, node.hash) };
    }
    stack.push(node);
    if (wanted.has(i + 1))
      roots.set(
        i + 1,
        stack.map((s) => s.hash).reduceRight((acc, h) => hashChildren(h, acc)),
      );
  });
  return roots;
};

describe('MerkleLog on SQLite with a million leaves', function () {
  this.timeout(120_000);
  let dir: string;
  let store: SqliteLedgerStore;
  let log: MerkleLog;
  let hashes: Buffer[];
  let ids: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-large-'));
    store = SqliteLedgerStore.open({ directory: dir });
    log = await MerkleLog.open(store);
    // Event ids are uuid v7 (time-ordered) as the service makes them, so the event-id index grows at its end.
    ids = Array.from({ length: SIZE }, () => uuidv7());
    // The tree takes leaf hashes as opaque 32-byte values: random ones cost no hashing here.
    const pool = randomBytes(32 * SIZE);
    hashes = ids.map((_, i) => pool.subarray(32 * i, 32 * (i + 1)));
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`appends ${SIZE} leaves in batches of ${BATCH}, then answers roots and proofs of the reference at sampled sizes`, async () => {
    const started = performance.now();
    for (let at = 0; at < SIZE; at += BATCH) {
      const batch: LedgerLeaf[] = [];
      for (let i = at; i < at + BATCH; i++) batch.push({ eventId: ids[i] ?? '', hash: hashes[i] ?? Buffer.alloc(0), position: String(i + 1) });
      await log.append(batch);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`      ${SIZE} leaves appended in ${seconds.toFixed(1)} s: ${Math.round(SIZE / seconds)} leaves/s (synchronous=FULL, ${SIZE / BATCH} commits)`);
    expect(log.size).to.equal(SIZE);

    const sizes = [1, 2, 3, 4999, 5000, 5001, 65_536, 524_287, 524_288, 524_289, 777_777, 999_999, SIZE];
    const roots = referenceRoots(hashes, sizes);
    const rootAt = (n: number): Buffer => roots.get(n) ?? Buffer.alloc(0);
    const problems: string[] = [];
    for (const n of sizes) if (hex(await log.rootAt(n)) !== hex(rootAt(n))) problems.push(`root at ${n}`);
    // Reopened, the edge comes back from the store.
    const reopened = await MerkleLog.open(store);
    if (hex(reopened.root) !== hex(rootAt(SIZE))) problems.push('root after reopening');

    const queryStarted = performance.now();
    let proofs = 0;
    for (const n of sizes)
      for (const index of [0, n - 1, Math.floor(n / 3), Math.floor((n * 2) / 3)]) {
        const proof = await log.inclusionProof(index, n);
        proofs++;
        if (!verifyInclusion(index, n, hashes[index] ?? Buffer.alloc(0), proof, rootAt(n))) problems.push(`inclusion of ${index} in ${n}`);
      }
    for (const [i, m] of sizes.entries())
      for (const n of sizes.slice(i)) {
        const proof = await log.consistencyProof(m, n);
        proofs++;
        if (!verifyConsistency(m, n, rootAt(m), rootAt(n), proof)) problems.push(`consistency ${m} → ${n}`);
      }
    const perProof = (performance.now() - queryStarted) / proofs;
    console.log(`      ${proofs} proofs from the store, ${perProof.toFixed(2)} ms each`);
    // And byte for byte as the reference computes them (which rehashes the whole tree: sizes it can afford).
    expect(hexes(await log.inclusionProof(40_000, 65_537))).to.deep.equal(hexes(inclusionProof(hashes, 40_000, 65_537)));
    expect(hexes(await log.consistencyProof(5_001, 65_537))).to.deep.equal(hexes(consistencyProof(hashes, 5_001, 65_537)));
    expect(problems).to.deep.equal([]);
    expect(await log.indexOf(ids[654_321] ?? '')).to.equal(654_321);
  });
});

const hexes = (bs: readonly Uint8Array[]): string[] => bs.map(hex);
