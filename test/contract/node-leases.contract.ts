import { expect } from 'chai';
import type { NodeLeases } from '../../src/application/ports/node-leases.js';

/** What every NodeLeases adapter must do; `open` gives two handles on one fresh store (two nodes). */
export const nodeLeasesContract = (name: string, open: () => Promise<{ leases: NodeLeases; other: NodeLeases; cleanup: () => Promise<void> }>): void => {
  describe(`NodeLeases contract: ${name}`, () => {
    let leases: NodeLeases;
    let other: NodeLeases;
    let cleanup: () => Promise<void>;
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

    beforeEach(async () => {
      ({ leases, other, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('a lease lapses when not renewed past its end; renewing extends it', async () => {
      await leases.renew('a', at(10));
      await leases.renew('b', at(20));
      expect(await leases.lapsed(at(10)), 'ends at 10: not lapsed at 10').to.deep.equal([]);
      expect(await leases.lapsed(at(15))).to.deep.equal(['a']);
      await leases.renew('a', at(30));
      expect(await leases.lapsed(at(25))).to.deep.equal(['b']);
    });

    it('forget drops a lease; with lapsedAt only if still lapsed then (a node that renewed meanwhile keeps it)', async () => {
      await leases.renew('a', at(10));
      await leases.renew('b', at(10));
      await leases.renew('b', at(40)); // b renewed after a check saw it lapsed
      await leases.forget('a', at(15));
      await leases.forget('b', at(15));
      expect(await leases.lapsed(at(50))).to.deep.equal(['b']);
      await leases.forget('b');
      expect(await leases.lapsed(at(50))).to.deep.equal([]);
    });

    it('every node sees every lease', async () => {
      await other.renew('remote', at(1));
      expect(await leases.lapsed(at(2))).to.deep.equal(['remote']);
    });
  });
};
