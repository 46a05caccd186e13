import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { KEYS_DB_FILE, SqliteKeyStore } from '../../src/infrastructure/keys/sqlite-key-store.js';
import { loadMasterKeys } from '../../src/infrastructure/keys/master-key.js';
import { runCliProcess, tempDir } from '../cli/cli-process.js';
import { eventually } from '../scheduling/support.js';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { exchange, itemsOf, openChat, person, type Person } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/erase-and-die.js', import.meta.url));

/** The erase tool's steps in a process SIGKILLed at `point`; resolves once it is dead. */
const eraseAndDie = async (dataDir: string, userId: string, point: 'request' | 'keys'): Promise<NodeJS.Signals | null> => {
  const child = spawn(process.execPath, [FIXTURE, dataDir, userId, point], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return signal;
};

const eventTypes = async (svc: TestService, p: Person): Promise<string[]> => (await svc.service.store.readStream(`user-${p.sub}`)).map((e) => e.type);

/** The contents of the chat's messages as its history reads them from the log (keys and all), oldest first. */
const historyContents = async (svc: TestService, viewer: Person, peerName: string): Promise<unknown[]> =>
  itemsOf(await viewer.http(svc, 'GET', `/api/chats/${peerName}/history?limit=100`))
    .filter((h) => h['type'] === 'MessageSent')
    .map((h) => (h['data'] as Record<string, unknown>)['content']);

describe('erasure: crashes, restored keys, several nodes', function () {
  this.timeout(60_000);
  let dataDir: string;
  const services: TestService[] = [];
  const sockets: TestClient[] = [];
  const start = async (): Promise<TestService> => {
    const svc = await startTestService({}, { dataDir });
    services.push(svc);
    return svc;
  };
  const stop = async (svc: TestService): Promise<void> => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await svc.stop();
    services.splice(services.indexOf(svc), 1);
  };

  beforeEach(() => {
    dataDir = tempDir('erase-recovery-');
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    for (const svc of services.splice(0).reverse()) await svc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Two users and a message each way in their chat; returns the message contents. */
  const chatting = async (svc: TestService, a: Person, b: Person): Promise<{ chatId: string; said: [string, string] }> => {
    const [x, y] = await Promise.all([a.connect(svc), b.connect(svc)]);
    sockets.push(x, y);
    const chatId = await openChat(svc, a, b);
    await Promise.all([x.next((f) => f.action === 'join_chat'), y.next((f) => f.action === 'join_chat')]);
    const said: [string, string] = [a.say('from a'), b.say('from b')];
    await exchange(x, y, chatId, said[0]);
    await exchange(y, x, chatId, said[1]);
    return { chatId, said };
  };

  for (const point of ['request', 'keys'] as const) {
    it(`a process killed ${point === 'request' ? 'right after the request event' : 'after destroying the keys'} leaves an erasure the next start finishes`, async () => {
      const svc = await start();
      const [kim, lee] = [person('kim'), person('lee')];
      const { said } = await chatting(svc, kim, lee);
      expect(await eraseAndDie(dataDir, kim.sub, point)).to.equal('SIGKILL');
      expect(await eventTypes(svc, kim), 'the request is stored, not its end').to.deep.equal(['UserRegistered', 'ErasureRequested']);
      expect((await svc.service.keys.store.keyIdsOf([kim.sub])).size, 'keys').to.equal(point === 'request' ? 1 : 0);

      await stop(svc);
      const again = await start();
      expect(await eventTypes(again, kim)).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
      expect((await again.service.keys.store.keyIdsOf([kim.sub])).size).to.equal(0);
      const alias = again.service.keys.usernames.aliasOf(kim.sub);
      await eventually(async () => itemsOf(await lee.http(again, 'GET', '/api/chats/'))[0]?.['username'] === alias, 'kim shown erased', 10_000);
      expect(await historyContents(again, lee, alias)).to.deep.equal(['', said[1]]);
      // Erasing again is the tool's own way to finish: nothing left to do.
      const tool = await runCliProcess('erase', [kim.sub], { dataDir });
      expect(tool.code, tool.stderr).to.equal(0);
      expect(tool.stdout).to.match(/already erased/);
    });
  }

  it('erasing again finishes an interrupted erasure too', async () => {
    const svc = await start();
    const [kim, lee] = [person('kim'), person('lee')];
    await chatting(svc, kim, lee);
    expect(await eraseAndDie(dataDir, kim.sub, 'request')).to.equal('SIGKILL');
    const tool = await runCliProcess('erase', [kim.sub], { dataDir });
    expect(tool.code, tool.stderr).to.equal(0);
    expect(tool.stdout).to.match(/is erased/);
    expect(await eventTypes(svc, kim)).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
  });

  it('keys of an erased user restored from a backup of the key store are destroyed again at start', async () => {
    const svc = await start();
    const [ada, bo] = [person('ada'), person('bo')];
    const { said } = await chatting(svc, ada, bo);
    await stop(svc);
    // The backup: keys.db while the service is stopped (its WAL checkpointed into the file on close).
    const backup = join(tempDir('keys-backup-'), KEYS_DB_FILE);
    copyFileSync(join(dataDir, KEYS_DB_FILE), backup);

    const running = await start();
    const erased = await runCliProcess('erase', [ada.sub], { dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    await stop(running);

    // The restore: the old keys.db back in place, ada's key in it.
    for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, `${KEYS_DB_FILE}${suffix}`), { force: true });
    copyFileSync(backup, join(dataDir, KEYS_DB_FILE));
    rmSync(join(backup, '..'), { recursive: true, force: true });
    const restored = SqliteKeyStore.open({ directory: dataDir, wrappingKey: loadMasterKeys(undefined, dataDir).wrappingKey });
    expect((await restored.keyIdsOf([ada.sub])).size, 'the backup brought ada’s key back').to.equal(1);
    await restored.close();

    const after = await start();
    expect((await after.service.keys.store.keyIdsOf([ada.sub, bo.sub])).has(ada.sub), 'destroyed again').to.equal(false);
    expect((await after.service.keys.store.keyIdsOf([bo.sub])).size, 'bo’s kept').to.equal(1);
    const alias = after.service.keys.usernames.aliasOf(ada.sub);
    // Read from the log with whatever keys the store has: ada's message stays erased, bo's reads.
    expect(await historyContents(after, bo, alias)).to.deep.equal(['', said[1]]);
    expect(existsSync(join(dataDir, KEYS_DB_FILE))).to.equal(true);
  });

  it('two nodes on one DATA_DIR: the node that did not erase drops its cached keys and profile when it sees the erasure', async () => {
    const a = await start();
    const b = await start();
    const [ivy, max] = [person('ivy'), person('max')];
    const { said } = await chatting(a, ivy, max);
    // Node B reads the chat and ivy's profile: her key and profile are in its caches now.
    expect(await historyContents(b, max, ivy.username)).to.deep.equal(said);
    expect((await b.service.profiles.resolve([ivy.sub]))(ivy.sub)).to.deep.include({ username: ivy.username, nickname: ivy.nickname });

    const erased = await runCliProcess('erase', [ivy.sub], { dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    const alias = a.service.keys.usernames.aliasOf(ivy.sub);
    for (const node of [a, b]) {
      // The history is decoded from the log on each call: with a cached key it would still read.
      await eventually(async () => (await historyContents(node, max, alias).catch(() => []))[0] === '', `node ${node === a ? 'A' : 'B'} forgets ivy`, 10_000);
      expect(await historyContents(node, max, alias)).to.deep.equal(['', said[1]]);
      expect((await node.service.profiles.resolve([ivy.sub]))(ivy.sub)).to.deep.equal({
        userId: ivy.sub,
        username: alias,
        nickname: '',
        avatar: '',
        erased: true,
      });
    }
  });
});
