import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { positioned, PROJECTION, scriptedHistory, snapshot } from '../contract/read-model-fixtures.js';

describe('read-model rebuild', () => {
  let dir: string;
  const stores: SqliteReadModelStore[] = [];
  const open = (name: string): SqliteReadModelStore => {
    const s = SqliteReadModelStore.open({ path: join(dir, `${name}.db`) });
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaying the log from empty gives the same answers as the live projection', async () => {
    const script = scriptedHistory();
    // Live: each event projected as it is appended, with queries in between (as REST would).
    const live = open('live');
    for (const e of script.log.events) {
      await live.apply(PROJECTION, [positioned(e)]);
      await live.chatPreviews(script.users[0]?.id ?? '', { limit: 10, offset: 0 });
    }
    // Rebuild: a fresh store fed the whole log in large batches.
    const rebuilt = open('rebuilt');
    for (const batch of script.log.batches(500)) await rebuilt.apply(PROJECTION, batch);

    const expected = await snapshot(live, script);
    expect(await snapshot(rebuilt, script)).to.deep.equal(expected);
    expect(await rebuilt.checkpoint(PROJECTION)).to.deep.equal(await live.checkpoint(PROJECTION));

    // And in place: reset the live store and replay it.
    await live.reset();
    for (const batch of script.log.batches(3)) await live.apply(PROJECTION, batch);
    expect(await snapshot(live, script)).to.deep.equal(expected);
  });
});
