import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { LedgerConflictError, type LedgerLeaf, type LedgerStore } from '../../src/application/ledger/ledger-store.js';
import { MerkleLog } from '../../src/application/ledger/merkle-log.js';
import { consistencyProof, EMPTY_ROOT, hashChildren, hashLeaf, inclusionProof, rootOf } from '../../src/application/ledger/merkle.js';
import { rejectionOf } from '../support/rejection.js';

export interface LedgerStoreHarness {
  readonly store: LedgerStore;
  /** Opens the same data again (the durability test closes `store` first). */
  readonly reopen: () => Promise<LedgerStore>;
  readonly cleanup: () => Promise<void>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Leaves with fresh event ids, so a shared server is fine. */
const newLeaves = (n: number, tag = randomUUID()): LedgerLeaf[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `${tag}-${i}`, hash: hashLeaf(Buffer.from(`${tag} leaf ${i}`)), position: `${i + 1}` }));

/** Behaviour every LedgerStore adapter must have, checked through the store itself and through a MerkleLog over it. */
export function ledgerStoreContract(name: string, make: () => Promise<LedgerStoreHarness>): void {
  describe(`LedgerStore contract: ${name}`, function () {
    this.timeout(60_000);
    let harness: LedgerStoreHarness;
    let store: LedgerStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });
    afterEach(() => harness.cleanup());

    it('starts empty', async () => {
      expect(await store.size()).to.equal(0);
      expect(await store.nodes([])).to.deep.equal([]);
      expect(await store.leafIndex('nope')).to.equal(undefined);
      expect(await store.leaves(0, 10)).to.deep.equal([]);
      expect(await store.latestCheckpoint()).to.equal(undefined);
      expect(await store.checkpoints(0, 10)).to.deep.equal([]);
    });

    it('keeps leaves and complete subtrees, answers them in the order asked, and finds a leaf by event id', async () => {
      const leaves = newLeaves(3);
      const [a, b, c] = leaves.map((l) => l.hash);
      const ab = hashChildren(a ?? EMPTY_ROOT, b ?? EMPTY_ROOT);
      await store.append({ start: 0, leaves, nodes: [{ level: 1, index: 0, hash: ab }] });
      expect(await store.size()).to.equal(3);
      const got = await store.nodes([
        { level: 0, index: 2 },
        { level: 1, index: 0 },
        { level: 0, index: 0 },
        { level: 0, index: 2 },
      ]);
      expect(got.map(hex)).to.deep.equal([c, ab, a, c].map((h) => hex(h ?? EMPTY_ROOT)));
      expect(await store.leafIndex(leaves[1]?.eventId ?? '')).to.equal(1);
      expect(await store.leafIndex('absent')).to.equal(undefined);
      const listed = await store.leaves(1, 5);
      expect(listed.map((l) => [l.index, l.eventId, hex(l.hash), l.position])).to.deep.equal(
        leaves.slice(1).map((l, i) => [i + 1, l.eventId, hex(l.hash), l.position]),
      );
      expect(await store.leaves(3, 5)).to.deep.equal([]);
    });

    it('refuses an append that does not start at its size, and changes nothing', async () => {
      await store.append({ start: 0, leaves: newLeaves(2), nodes: [] });
      for (const start of [0, 1, 3]) {
        const stray = newLeaves(1);
        expect(await rejectionOf(store.append({ start, leaves: stray, nodes: [] }))).to.be.instanceOf(LedgerConflictError);
        expect(await store.leafIndex(stray[0]?.eventId ?? '')).to.equal(undefined);
      }
      expect(await store.size()).to.equal(2);
    });

    it('commits a batch whole or not at all: a duplicate event id fails it and leaves nothing of it visible', async () => {
      const first = newLeaves(4);
      await store.append({ start: 0, leaves: first, nodes: [] });
      const second = [...newLeaves(3), first[1] ?? { eventId: '', hash: EMPTY_ROOT, position: '' }];
      const failed = await rejectionOf(store.append({ start: 4, leaves: second, nodes: [{ level: 1, index: 2, hash: EMPTY_ROOT }] }));
      expect(failed).to.be.instanceOf(Error);
      expect(await store.size()).to.equal(4);
      expect(await store.leafIndex(second[0]?.eventId ?? '')).to.equal(undefined);
      expect(await store.leaves(0, 10)).to.have.length(4);
      expect(await rejectionOf(store.nodes([{ level: 0, index: 4 }]))).to.be.instanceOf(Error);
      expect(await rejectionOf(store.nodes([{ level: 1, index: 2 }]))).to.be.instanceOf(Error);
      // The next append at the same start goes through, with the same ids that failed alongside.
      const retry = second.slice(0, 3);
      await store.append({ start: 4, leaves: retry, nodes: [] });
      expect(await store.size()).to.equal(7);
      expect(await store.leafIndex(retry[2]?.eventId ?? '')).to.equal(6);
    });

    it('refuses to read nodes it has not committed', async () => {
      await store.append({ start: 0, leaves: newLeaves(3), nodes: [] });
      expect(await rejectionOf(store.nodes([{ level: 0, index: 3 }]))).to.be.instanceOf(Error);
      expect(await rejectionOf(store.nodes([{ level: 2, index: 0 }]))).to.be.instanceOf(Error);
    });

    it('keeps every checkpoint in signing order and answers the latest; sizes never go back or beyond the tree', async () => {
      await store.append({ start: 0, leaves: newLeaves(5), nodes: [] });
      const at = (size: number, i: number) => ({
        size,
        root: hashLeaf(Buffer.from(`root ${i}`)),
        note: `note ${i}\n`,
        createdAt: new Date(1_700_000_000_000 + i).toISOString(),
      });
      const added = [];
      for (const [i, size] of [0, 2, 2, 5].entries()) added.push(await store.addCheckpoint(at(size, i)));
      expect(added.map((c) => c.seq)).to.deep.equal([0, 1, 2, 3]);
      const latest = await store.latestCheckpoint();
      expect(latest?.seq).to.equal(3);
      expect(latest?.note).to.equal('note 3\n');
      expect(hex(latest?.root ?? EMPTY_ROOT)).to.equal(hex(at(5, 3).root));
      expect(latest?.createdAt).to.equal(at(5, 3).createdAt);
      const all = await store.checkpoints(0, 100);
      expect(all.map((c) => [c.seq, c.size, c.note])).to.deep.equal([
        [0, 0, 'note 0\n'],
        [1, 2, 'note 1\n'],
        [2, 2, 'note 2\n'],
        [3, 5, 'note 3\n'],
      ]);
      expect((await store.checkpoints(1, 2)).map((c) => c.seq)).to.deep.equal([1, 2]);
      expect(await store.checkpoints(4, 2)).to.deep.equal([]);
      expect(await rejectionOf(store.addCheckpoint(at(6, 9)))).to.be.instanceOf(LedgerConflictError);
      expect(await rejectionOf(store.addCheckpoint(at(4, 9)))).to.be.instanceOf(LedgerConflictError);
      expect((await store.checkpoints(0, 100)).length).to.equal(4);
    });

    it('keeps everything across a reopen', async () => {
      const log = await MerkleLog.open(store);
      const leaves = newLeaves(37);
      await log.append(leaves.slice(0, 20));
      await log.append(leaves.slice(20));
      await store.addCheckpoint({ size: 37, root: log.root, note: 'n\n', createdAt: '2026-01-01T00:00:00.000Z' });
      await store.close();
      store = await harness.reopen();
      const again = await MerkleLog.open(store);
      expect(again.size).to.equal(37);
      expect(hex(again.root)).to.equal(hex(rootOf(leaves.map((l) => l.hash))));
      expect((await store.latestCheckpoint())?.size).to.equal(37);
      expect(await store.leafIndex(leaves[36]?.eventId ?? '')).to.equal(36);
    });

    it('gives a MerkleLog the roots and proofs of the reference at every size, over uneven batches and a reopen', async () => {
      const leaves = newLeaves(150);
      const hashes = leaves.map((l) => l.hash);
      let log = await MerkleLog.open(store);
      let at = 0;
      for (const [i, n] of [1, 1, 2, 5, 8, 16, 17, 33, 3, 64].entries()) {
        await log.append(leaves.slice(at, at + n));
        at += n;
        if (i === 4) log = await MerkleLog.open(store); // a restart: the right edge comes back from the store
      }
      expect(log.size).to.equal(150);
      const problems: string[] = [];
      for (let n = 0; n <= 150; n++) {
        const want = hex(rootOf(hashes.slice(0, n)));
        if (hex(await log.rootAt(n)) !== want) problems.push(`root at ${n}`);
      }
      for (const n of [1, 2, 3, 7, 8, 9, 64, 100, 149, 150])
        for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 9))) {
          const got = (await log.inclusionProof(i, n)).map(hex);
          if (JSON.stringify(got) !== JSON.stringify(inclusionProof(hashes, i, n).map(hex))) problems.push(`inclusion ${i} of ${n}`);
        }
      for (const [m, n] of [
        [0, 5],
        [1, 150],
        [5, 5],
        [6, 8],
        [7, 150],
        [64, 128],
        [65, 149],
        [100, 150],
        [149, 150],
      ] as const) {
        const got = (await log.consistencyProof(m, n)).map(hex);
        if (JSON.stringify(got) !== JSON.stringify(consistencyProof(hashes, m, n).map(hex))) problems.push(`consistency ${m} → ${n}`);
      }
      expect(problems).to.deep.equal([]);
    });
  });
}
