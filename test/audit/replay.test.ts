import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { compareReadModels } from '../../src/application/audit/compare-read-models.js';
import { projectBatch, READ_MODEL_PROJECTION } from '../../src/application/read-models/projection.js';
import { rebuildReadModels } from '../../src/application/read-models/rebuild.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { openReadModelGenerations } from '../../src/infrastructure/stores/open-read-models.js';
import { startTestService, TEST_SECRET, type TestService } from '../support/test-service.js';
import type { TestClient } from '../support/test-client.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const cli = (name: string, dataDir: string, args: string[] = []) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'interfaces', 'cli', `${name}.js`), ...args], {
    env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });

/** The read models re-derived from the whole log, in memory: what a correct store must answer. */
const derived = async (svc: TestService): Promise<SqliteReadModelStore> => {
  const memory = SqliteReadModelStore.open({ path: ':memory:' });
  for await (const page of svc.service.log.pages()) await memory.apply(READ_MODEL_PROJECTION, projectBatch(page.events));
  return memory;
};

describe('replay, rebuild and verify', () => {
  let svc: TestService;
  let alice: TestClient;
  let bob: TestClient;
  let chatId: string;
  let sent = 0;

  const send = async (content: string): Promise<void> => {
    alice.send('new_message', { content, chat_id: chatId, timestamp: new Date().toISOString() });
    await alice.next((f) => f.action === 'new_message' && f.data['content'] === content);
    sent += 1;
  };

  before(async () => {
    svc = await startTestService({ ws: { maxBufferedBytes: 1 << 20, ratePerSecond: 10_000, rateBurst: 10_000, rateWarnings: 3 } });
    for (const u of ['bob', 'carol', 'dave']) await svc.http('GET', '/api/chats/', { username: u });
    chatId = ((await svc.http('PUT', '/api/chats/bob', { username: 'alice' })).body as { chat_id: string }).chat_id;
    await svc.http('PUT', '/api/chats/carol', { username: 'alice' });
    await svc.http('PUT', '/api/blocks/dave', { username: 'carol' });
    alice = await svc.connect('alice');
    bob = await svc.connect('bob');
    for (let i = 0; i < 20; i++) await send(`scripted ${i}`);
    const first = (await svc.http('GET', '/api/chats/bob/messages?limit=1&offset=19', { username: 'alice' })).body as { items: Array<{ id: string }> };
    bob.send('like_message', { id: first.items[0]?.id, chat_id: chatId });
    await alice.nextAction('chat_like_update');
    bob.send('read_message', { id: first.items[0]?.id, chat_id: chatId });
    alice.send('game_invite', { username: 'bob', client_id: '5eafd8eb-5be1-4671-9ff8-ba8fbb798af7', options: { ranked: true } });
    await bob.nextAction('game_invite');
    bob.send('game_declined', { username: 'alice' });
    await alice.nextAction('game_declined');
    alice.send('add_new_friend', { sender_id: 'id-alice', receiver_id: 'id-bob' });
    await bob.nextAction('new_friend');
    alice.send('new_tournament', { tournament_id: '0b8c3f0e-1d2a-4b3c-9d4e-5f6a7b8c9d0e', tournament_name: 'Cup', organizer_id: 'id-alice' });
    await bob.nextAction('new_tournament');
  });
  after(async () => {
    await alice.close();
    await bob.close();
    await svc.stop();
  });

  it('rebuilds every read model while the service runs and writes go on: nothing lost, same answers as live', async () => {
    const generations = await openReadModelGenerations(loadConfig({ DATA_DIR: svc.dataDir }));
    const before = svc.service.generations.current;
    // A writer keeps sending while the rebuild runs.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing || i < 5; i++) await send(`during rebuild ${i}`);
    })();
    const result = await rebuildReadModels(svc.service.store, generations, {
      projection: READ_MODEL_PROJECTION,
      personal: svc.service.keys.personal,
      logger: createLogger('silent'),
    });
    await svc.service.generations.check();
    writing = false;
    await writer;
    await generations.close();
    expect(result.generation).to.not.equal(before);
    expect(svc.service.generations.current).to.equal(result.generation);
    expect(result.events).to.be.greaterThan(0);
    const page = (await svc.http('GET', '/api/chats/bob/messages?limit=1', { username: 'alice' })).body as { count: number };
    expect(page.count).to.equal(sent);
    const memory = await derived(svc);
    expect(await compareReadModels(memory, svc.service.readSide.current)).to.deep.equal([]);
    await memory.close();
  });

  it('rebuilds one read model by name', async () => {
    const generations = await openReadModelGenerations(loadConfig({ DATA_DIR: svc.dataDir }));
    const result = await rebuildReadModels(svc.service.store, generations, {
      projection: READ_MODEL_PROJECTION,
      group: 'notifications',
      personal: svc.service.keys.personal,
      logger: createLogger('silent'),
    });
    await svc.service.generations.check();
    await generations.close();
    expect(svc.service.generations.current).to.equal(result.generation);
    const notifications = (await svc.http('GET', '/api/notifications/', { username: 'bob' })).body as { items: Array<{ action: string }> };
    expect(notifications.items.map((n) => n.action).sort()).to.deep.equal(['game_invite', 'new_friend', 'new_tournament']);
    const memory = await derived(svc);
    expect(await compareReadModels(memory, svc.service.readSide.current)).to.deep.equal([]);
    await memory.close();
  });

  it('`npm run verify` passes on live read models and catches a corrupted row (exit 1)', async () => {
    await svc.http('GET', '/api/chats/', { username: 'alice' });
    const ok = cli('verify', svc.dataDir);
    expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/match/);
    const generations = await openReadModelGenerations(loadConfig({ DATA_DIR: svc.dataDir }));
    const file = join(svc.dataDir, await generations.current());
    await generations.close();
    const db = new Database(file);
    db.prepare("UPDATE messages SET content = 'tampered' WHERE seq = 3").run();
    db.close();
    const bad = cli('verify', svc.dataDir);
    expect(bad.status, bad.stdout + bad.stderr).to.equal(1);
    expect(bad.stdout)
      .to.match(/messages of chat/)
      .and.match(/tampered/);
  });
});

describe('npm run replay (CLI)', () => {
  it('rebuilds a stopped deployment and reports events per second', async () => {
    const svc = await startTestService();
    await svc.http('PUT', '/api/chats/bob', { username: 'alice' }).catch(() => undefined);
    await svc.http('GET', '/api/chats/', { username: 'bob' });
    await svc.http('PUT', '/api/chats/bob', { username: 'alice' });
    const dataDir = svc.dataDir;
    await svc.service.stop();
    const run = cli('replay', dataDir, ['--keep-old']);
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/rebuilt every read model from \d+ events in [\d.]+ s: \d+ events\/s/);
    const named = cli('replay', dataDir, ['--projection', 'chats']);
    expect(named.status, named.stdout + named.stderr).to.equal(0);
    expect(named.stdout).to.match(/rebuilt chats/);
    const unknown = cli('replay', dataDir, ['--projection', 'nope']);
    expect(unknown.status).to.equal(2);
    const verify = cli('verify', dataDir);
    expect(verify.status, verify.stdout + verify.stderr).to.equal(0);
  });
});
