import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { positionOf } from '../../src/application/ports/position.js';
import { SqliteReactorCheckpoints } from '../../src/infrastructure/scheduler/reactor-checkpoints.js';

describe('SqliteReactorCheckpoints: one owner per reactor, checkpoints kept across owners', () => {
  let dir: string;
  let a: SqliteReactorCheckpoints;
  let b: SqliteReactorCheckpoints;
  const t = (ms: number) => new Date(1_000_000 + ms);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reactor-cp-'));
    // Two connections on one file: two nodes.
    a = SqliteReactorCheckpoints.open(join(dir, 'scheduler.db'));
    b = SqliteReactorCheckpoints.open(join(dir, 'scheduler.db'));
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a live lease keeps others out; a lapsed or released one is taken over with its checkpoint', async () => {
    expect(await a.claim('r', 'node-a', t(100), t(0))).to.deep.equal({ owned: true, checkpoint: undefined });
    expect(await b.claim('r', 'node-b', t(150), t(50))).to.deep.equal({ owned: false, owner: 'node-a' });
    expect(await a.save('r', 'node-a', positionOf(7))).to.equal(true);
    expect(await b.save('r', 'node-b', positionOf(9)), 'only the owner saves').to.equal(false);
    expect(await a.claim('r', 'node-a', t(300), t(90)), 'the owner renews').to.deep.equal({ owned: true, checkpoint: positionOf(7) });
    expect(await b.claim('r', 'node-b', t(500), t(301)), 'lapsed: taken over').to.deep.equal({ owned: true, checkpoint: positionOf(7) });
    expect(await a.save('r', 'node-a', positionOf(8)), 'the old owner lost it').to.equal(false);
    await b.release('r', 'node-b');
    expect(await a.claim('r', 'node-a', t(900), t(302)), 'released: free at once').to.deep.equal({ owned: true, checkpoint: positionOf(7) });
  });

  it('reactors are independent, and positions keep their commit and prepare parts', async () => {
    await a.claim('x', 'n', t(100), t(0));
    await a.claim('y', 'n', t(100), t(0));
    await a.save('x', 'n', { commit: 12n, prepare: 10n });
    expect(await b.claim('x', 'm', t(300), t(200))).to.deep.equal({ owned: true, checkpoint: { commit: 12n, prepare: 10n } });
    expect(await b.claim('y', 'm', t(300), t(200))).to.deep.equal({ owned: true, checkpoint: undefined });
  });
});
