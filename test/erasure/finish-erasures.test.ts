import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { aggregatesOf, type Aggregates } from '../../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { eraseUser, finishErasures, type ErasureDeps } from '../../src/application/erasure/erase-user.js';
import { LogProcessor } from '../../src/application/log/log-processor.js';
import { newId } from '../../src/application/shared/ids.js';
import { userStream } from '../../src/domain/user/user.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { memoryKeys, type TestKeys } from '../support/memory-keys.js';

const meta = { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' };

describe('eraseUser and finishErasures', () => {
  let dir: string;
  let store: SqliteEventStore;
  let keys: TestKeys;
  let aggregates: Aggregates;
  let deps: ErasureDeps & { log: LogProcessor };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'erasures-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    keys = memoryKeys();
    aggregates = aggregatesOf(new AggregateRepository(store, keys.personal));
    deps = {
      user: aggregates.user,
      keys: keys.store,
      personal: keys.personal,
      now: () => new Date(meta.timestamp),
      newId,
      log: new LogProcessor(store, keys.personal, createLogger('silent')),
    };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = async (userId: string, username = userId): Promise<void> => {
    await aggregates.user.execute(
      userStream(userId),
      { kind: 'RegisterUser', userId, username, nickname: `${username} nick`, avatar: '', at: meta.timestamp },
      meta,
    );
  };
  const types = async (userId: string) => (await store.readStream(userStream(userId))).map((e) => e.type);

  it('erases: the request names the user’s keys; the keys go; the erased event carries the alias', async () => {
    await register('u1');
    const keyId = (await keys.store.keyIdsOf(['u1'])).get('u1');
    expect(await eraseUser(deps, 'u1')).to.deep.equal({ _tag: 'Erased', keysDestroyed: 1 });
    const events = await store.readStream(userStream('u1'));
    expect(events.map((e) => e.type)).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
    expect(events[1]?.data['keyIds']).to.deep.equal([keyId]);
    expect(events[2]?.data['alias']).to.equal(keys.usernames.aliasOf('u1'));
    expect(await keys.store.usersWithKeys()).to.deep.equal([]);
    expect(await eraseUser(deps, 'u1')).to.deep.equal({ _tag: 'AlreadyErased', keysDestroyed: 0 });
    expect(await eraseUser(deps, 'nobody')).to.deep.equal({ _tag: 'UnknownUser' });
  });

  it('at start: finishes a request left without its end, and leaves finished ones and other users alone', async () => {
    await register('u1');
    await register('u2');
    await register('u3');
    await aggregates.user.execute(userStream('u1'), { kind: 'RequestErasure', userId: 'u1', keyIds: [], at: meta.timestamp }, meta);
    await eraseUser(deps, 'u3');
    const finished = await finishErasures(deps);
    expect(finished).to.deep.equal({ completed: ['u1'], keysDestroyed: 1 });
    expect(await types('u1')).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
    expect(await types('u3')).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
    expect(await keys.store.usersWithKeys()).to.deep.equal(['u2']);
    expect(await finishErasures(deps), 'nothing left to do').to.deep.equal({ completed: [], keysDestroyed: 0 });
  });

  it('at start: destroys again restored keys of erased users; of a user registered afresh, only the keys the erasure named', async () => {
    await register('gone');
    await register('back');
    const backup = keys.store.copy();
    await eraseUser(deps, 'gone');
    await eraseUser(deps, 'back');
    await register('back'); // afresh: a new key, named by no erasure
    expect(await finishErasures(deps)).to.deep.equal({ completed: [], keysDestroyed: 0 });
    expect(await keys.store.usersWithKeys(), 'the new key stays').to.deep.equal(['back']);

    // A backup taken before the erasures comes back: both users' old keys (the new one is lost with the restore).
    for (const k of backup) keys.store.restore(k);
    expect(await keys.store.usersWithKeys()).to.deep.equal(['back', 'gone']);
    expect(await finishErasures(deps)).to.deep.equal({ completed: [], keysDestroyed: 2 });
    expect(await keys.store.usersWithKeys()).to.deep.equal([]);

    // A key of an erased user that no erasure named (made by a node that had not yet seen the erasure) goes too.
    await keys.store.currentKeys(['gone']);
    expect(await finishErasures(deps)).to.deep.equal({ completed: [], keysDestroyed: 1 });
    expect(await keys.store.usersWithKeys()).to.deep.equal([]);
  });
});
