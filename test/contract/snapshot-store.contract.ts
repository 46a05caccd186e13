import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Snapshot, SnapshotStore } from '../../src/application/ports/snapshot-store.js';

export interface SnapshotHarness {
  readonly store: SnapshotStore;
  /** Opens the same data again (the durability test closes `store` first). */
  readonly reopen: () => Promise<SnapshotStore>;
  readonly cleanup: () => Promise<void>;
}

/** Behaviour every SnapshotStore adapter must have; each test uses its own stream ids, so a shared server is fine. */
export function snapshotStoreContract(name: string, make: () => Promise<SnapshotHarness>): void {
  describe(`SnapshotStore contract: ${name}`, function () {
    this.timeout(30_000);
    let harness: SnapshotHarness;
    let store: SnapshotStore;
    let stream: string;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
      stream = `chat-${randomUUID()}`;
    });
    afterEach(() => harness.cleanup());

    const snapshot = (revision: number, state: Snapshot['state'] = { n: revision }, version = 1, streamId = stream): Snapshot => ({
      streamId,
      version,
      revision,
      eventId: randomUUID(),
      state,
    });

    it('has no snapshot of a stream never saved', async () => {
      expect(await store.load(stream)).to.equal(undefined);
    });

    it('reads back what was saved: version, revision, event id and the state as JSON', async () => {
      const saved = snapshot(499, { exists: true, members: ['a', 'b'], pairs: [['k', 1]], flag: false, none: null, text: 'é😀' });
      await store.save(saved);
      expect(await store.load(stream)).to.deep.equal(saved);
    });

    it('keeps the latest save only, whatever its version or revision', async () => {
      await store.save(snapshot(499));
      const latest = snapshot(999, { n: 'latest' }, 2);
      await store.save(latest);
      expect(await store.load(stream)).to.deep.equal(latest);
      const older = snapshot(10);
      await store.save(older);
      expect(await store.load(stream)).to.deep.equal(older);
    });

    it('keeps each stream apart', async () => {
      const other = `presence-${randomUUID()}`;
      const mine = snapshot(5);
      const theirs = snapshot(7, { other: true }, 1, other);
      await store.save(mine);
      await store.save(theirs);
      expect(await store.load(stream)).to.deep.equal(mine);
      expect(await store.load(other)).to.deep.equal(theirs);
    });

    it('forgets a deleted snapshot (deleting none is a no-op) and takes a new one after', async () => {
      await store.delete(stream);
      expect(await store.load(stream)).to.equal(undefined);
      await store.save(snapshot(5));
      await store.delete(stream);
      expect(await store.load(stream)).to.equal(undefined);
      const again = snapshot(6);
      await store.save(again);
      expect(await store.load(stream)).to.deep.equal(again);
    });

    it('holds a large state (a full chat window is about 200 KB)', async () => {
      const state = { ids: Array.from({ length: 2000 }, (_, i) => [`${randomUUID()} ${i}`, randomUUID()]) };
      const saved = snapshot(123_456, state);
      await store.save(saved);
      expect(await store.load(stream)).to.deep.equal(saved);
    });

    it('is durable: a reopened store reads the snapshot', async () => {
      const saved = snapshot(42);
      await store.save(saved);
      await store.close();
      const reopened = await harness.reopen();
      try {
        expect(await reopened.load(stream)).to.deep.equal(saved);
      } finally {
        await reopened.close();
      }
    });
  });
}
