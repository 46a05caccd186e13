import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { NewEvent } from '../../src/application/ports/event-store.js';
import { chatIdFor } from '../../src/application/shared/ids.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { FIXTURE, runCliProcess, tempDir } from '../cli/cli-process.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { filesHolding, itemsOf, tag } from './support.js';

const AT = '2025-01-01T10:00:00.000Z';
let n = 0;
const event = (type: string, data: Record<string, unknown>, userId: string): NewEvent => ({
  id: `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`,
  type,
  data,
  metadata: { correlationId: `legacy-${n}`, timestamp: AT, schemaVersion: 1, userId },
});

interface Row {
  readonly position: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly metadata: string;
}
const rows = (path: string): Row[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], Row>('SELECT position, stream_id, revision, event_id, type, metadata FROM events ORDER BY position').all();
  } finally {
    db.close();
  }
};

describe('logs written before personal data was sealed', function () {
  this.timeout(60_000);
  let dataDir: string;
  let svc: TestService | undefined;
  afterEach(async () => {
    await svc?.stop();
    svc = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** An embedded log as the previous version wrote it: profiles, a claim on `username-<name>` and messages in clear, no mark. */
  const legacyLog = async (): Promise<{ secrets: string[]; ada: string; bob: string; chatId: string; said: [string, string] }> => {
    const [ada, bob] = [`ada${tag()}`, `bob${tag()}`];
    const said: [string, string] = [`hello ${tag()}`, `hi back ${tag()}`];
    const nickname = `Ada ${tag()}`;
    const avatar = `https://img.example/${tag()}.png`;
    const note = `note ${tag()}`;
    const chatId = chatIdFor('id-ada', 'id-bob');
    const store = SqliteEventStore.open({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
    const put = async (stream: string, events: NewEvent[]) => expect((await store.append(stream, events, 'no_stream'))._tag).to.equal('Appended');
    await put('user-id-ada', [event('UserRegistered', { userId: 'id-ada', username: ada, nickname, avatar, at: AT }, 'id-ada')]);
    await put(`username-${ada}`, [event('UsernameClaimed', { username: ada, userId: 'id-ada', previousHolderId: null, at: AT }, 'id-ada')]);
    await put('user-id-bob', [event('UserRegistered', { userId: 'id-bob', username: bob, nickname: 'Bob', avatar: '', at: AT }, 'id-bob')]);
    await put(`chat-${chatId}`, [
      event('ChatCreated', { chatId, userA: 'id-ada', userB: 'id-bob', at: AT }, 'id-ada'),
      event('MessageSent', { chatId, messageId: randomUUID(), senderId: 'id-ada', content: said[0], seq: 1, date: AT }, 'id-ada'),
      event('MessageSent', { chatId, messageId: randomUUID(), senderId: 'id-bob', content: said[1], seq: 2, date: AT }, 'id-bob'),
    ]);
    await put('inbox-id-ada', [event('EphemeralNotificationSent', { userId: 'id-ada', message: note, notificationType: 'info', at: AT }, 'id-ada')]);
    await store.close();
    // The previous version kept no mark: a log that holds events without one was written before.
    const db = new Database(join(dataDir, 'events.db'));
    db.exec('DELETE FROM log_format');
    db.close();
    return { secrets: [ada, bob, nickname, avatar, note, ...said], ada, bob, chatId, said };
  };

  it('the service refuses such a log; `npm run migrate` seals it in place, leaving nothing in clear, and is safe to run again', async () => {
    dataDir = tempDir('migrate-');
    const legacy = await legacyLog();
    const before = rows(join(dataDir, 'events.db'));
    expect(filesHolding(dataDir, legacy.secrets), 'in clear before').to.not.deep.equal([]);

    const refused = await startTestService({}, { dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(refused)).to.match(/ConfigError: .*events\.db was written before personal data was encrypted: .*npm run migrate/);
    const audit = await runCliProcess('audit', ['chat', legacy.chatId], { dataDir });
    expect(audit.code).to.equal(1);
    expect(audit.stderr).to.match(/npm run migrate/);

    const migrated = await runCliProcess('migrate', [], { dataDir });
    expect(migrated.code, migrated.stderr).to.equal(0);
    expect(migrated.stdout).to.match(/^sealed the personal data of 6 of 7 events in [\d.]+ s; .*events\.db is rewritten and marked sealed\n$/);
    // Not in the file, its WAL, the keys: nowhere under DATA_DIR (no read models exist yet).
    expect(filesHolding(dataDir, legacy.secrets)).to.deep.equal([]);
    // Same events, order, ids and revisions; only the username stream is renamed, to a keyed hash.
    const after = rows(join(dataDir, 'events.db'));
    expect(after.map((r) => [r.position, r.event_id, r.revision, r.type, r.metadata])).to.deep.equal(
      before.map((r) => [r.position, r.event_id, r.revision, r.type, r.metadata]),
    );
    expect(after.map((r) => r.stream_id).filter((s, i) => s !== before[i]?.stream_id)).to.have.length(1);
    expect(after.find((r) => r.type === 'UsernameClaimed')?.stream_id).to.match(/^username-[0-9a-f]{64}$/);

    const again = await runCliProcess('migrate', [], { dataDir });
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/is already sealed: nothing to do\n$/);

    // Served as before: the migrated data opens with the users' keys, and erasing still works on it.
    svc = await startTestService({}, { dataDir });
    const asBob = { token: svc.token(legacy.bob, { sub: 'id-bob', nickname: 'Bob' }) };
    const messages = itemsOf(await svc.http('GET', `/api/chats/${legacy.ada}/messages`, asBob));
    expect(messages.map((m) => m['content'])).to.deep.equal([legacy.said[1], legacy.said[0]]);
    const erased = await runCliProcess('erase', ['id-ada'], { dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    const alias = svc.service.keys.usernames.aliasOf('id-ada');
    const history = async () =>
      itemsOf((await svc?.http('GET', `/api/chats/${alias}/history`, asBob)) ?? { status: 0, body: undefined })
        .filter((h) => h['type'] === 'MessageSent')
        .map((h) => (h['data'] as Record<string, unknown>)['content']);
    const deadline = Date.now() + 10_000;
    while ((await history().catch(() => []))[0] !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await history()).to.deep.equal(['', legacy.said[1]]);
  });

  it('an export written before is sealed as it is imported; an export of a sealed log is imported byte for byte', async () => {
    dataDir = tempDir('legacy-import-');
    const imported = await runCliProcess('import', [FIXTURE], { dataDir, timeoutMs: 60_000 });
    expect(imported.code, imported.stderr).to.equal(0);
    const contents = ['hello bob', 'hi ada', 'a game?'];
    expect(
      filesHolding(dataDir, contents).filter((hit) => hit.startsWith('events.db')),
      'the log holds them sealed',
    ).to.deep.equal([]);
    const audit = await runCliProcess('audit', ['chat', '3f0c2a1e-5b7d-4c9e-8f10-2a3b4c5d6e7f'], { dataDir });
    expect(audit.code, audit.stderr).to.equal(0);
    for (const c of contents) expect(audit.stdout).to.include(JSON.stringify(c));

    // Exported, then imported into another DATA_DIR with the same keys: not a byte changed.
    const out = join(dataDir, 'sealed.ndjson');
    expect((await runCliProcess('export', ['--out', out], { dataDir })).code).to.equal(0);
    const elsewhere = tempDir('sealed-import-');
    try {
      for (const file of ['keys.db', 'data-key']) writeFileSync(join(elsewhere, file), readFileSync(join(dataDir, file)));
      const r = await runCliProcess('import', [out], { dataDir: elsewhere, timeoutMs: 60_000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr, 'every key found').to.not.match(/not in the key store/);
      const again = join(elsewhere, 'again.ndjson');
      expect((await runCliProcess('export', ['--out', again], { dataDir: elsewhere })).code).to.equal(0);
      expect(readFileSync(again, 'utf8')).to.equal(readFileSync(out, 'utf8'));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
