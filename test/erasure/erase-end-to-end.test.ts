import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DATA_KEY_FILE } from '../../src/infrastructure/keys/master-key.js';
import { KEYS_DB_FILE } from '../../src/infrastructure/keys/sqlite-key-store.js';
import { runCliProcess, tempDir } from '../cli/cli-process.js';
import { eventually, fastScheduling } from '../scheduling/support.js';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { bodyOf, exchange, filesHolding, itemsOf, leaks, openChat, person } from './support.js';

/**
 * The first "done when": a user with unique strings everywhere (username, nickname,
 * avatar, messages, a self-notification) chats, invites and befriends another, then is erased by
 * the tool while the service runs. None of their strings is left in any file under DATA_DIR, any
 * REST answer, the history, a resumed socket's frames, `audit` or an export; the other user's own
 * messages are intact there and the chat still opens.
 */
describe('erasure, end to end: nothing of the erased user is left anywhere', function () {
  this.timeout(90_000);
  let svc: TestService;
  const sockets: TestClient[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await svc?.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('erases every copy of a user’s personal data while the service runs; the other member keeps the chat and their messages', async () => {
    svc = await startTestService(fastScheduling());
    const erin = person('erin');
    const omar = person('omar');
    const e = await erin.connect(svc);
    const o = await omar.connect(svc);
    sockets.push(e, o);
    const since = String(o.readyFrame?.data['position']);

    // A chat, messages both ways, an invitation (declined), a friendship, a tournament, a self-notification.
    const chatId = await openChat(svc, erin, omar);
    await Promise.all([e.next((f) => f.action === 'join_chat'), o.next((f) => f.action === 'join_chat')]);
    const omarSays = [omar.say('omar here'), omar.say('omar again')];
    await exchange(e, o, chatId, erin.say('hello omar'));
    await exchange(o, e, chatId, omarSays[0] ?? '');
    await exchange(e, o, chatId, erin.say('how are you'));
    await exchange(o, e, chatId, omarSays[1] ?? '');
    e.send('game_invite', { username: omar.username, client_id: randomUUID(), options: {} });
    await o.next((f) => f.action === 'game_invite' && f.data['username'] === erin.username);
    o.send('game_declined', { username: erin.username });
    await e.next((f) => f.action === 'game_declined');
    e.send('add_new_friend', { sender_id: erin.sub, receiver_id: omar.sub });
    await o.next((f) => f.action === 'new_friend' && f.data['nickname'] === erin.nickname);
    e.send('new_tournament', { tournament_id: randomUUID(), tournament_name: 'Erasure Cup', organizer_id: erin.sub });
    await o.next((f) => f.action === 'new_tournament' && f.data['creator'] === erin.username);
    const note = erin.say('a note to myself');
    e.send('notification', { message: note, type: 'info' });
    await e.next((f) => f.action === 'notification' && f.data['message'] === note);

    // Before: the strings are there to be found (the scan and the answers can see them).
    expect(JSON.stringify(itemsOf(await omar.http(svc, 'GET', '/api/notifications/')))).to.include(erin.nickname);
    expect(filesHolding(svc.dataDir, erin.secrets), 'the read models hold the profile in clear before').to.not.deep.equal([]);
    expect(filesHolding(svc.dataDir, omarSays), 'the read models hold omar’s messages in clear').to.not.deep.equal([]);

    const erased = await runCliProcess('erase', [erin.sub], { dataDir: svc.dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    const alias = /shown as (erased-[0-9a-f]{24})/.exec(erased.stdout)?.[1] ?? '';
    expect(alias, erased.stdout).to.match(/^erased-[0-9a-f]{24}$/);

    // The running service learns it from the log.
    await eventually(async () => itemsOf(await omar.http(svc, 'GET', '/api/chats/'))[0]?.['erased'] === true, 'the preview to show erin erased', 10_000);

    // Files: not in the log, the read models, the keys, snapshots, the scheduler, WAL or shm files.
    expect(filesHolding(svc.dataDir, erin.secrets)).to.deep.equal([]);

    // REST, as omar: the chat list, the chat (still opens, by the alias), messages, notifications.
    const answers: unknown[] = [];
    const get = async (path: string, method = 'GET') => {
      const res = await omar.http(svc, method, path);
      answers.push(res.body);
      return res;
    };
    const preview = itemsOf(await get('/api/chats/'))[0];
    expect(preview).to.deep.include({ chat_id: chatId, username: alias, nickname: '', avatar: '', erased: true });
    const chat = bodyOf(await get(`/api/chats/${alias}`, 'PUT'));
    expect(chat['chat_id']).to.equal(chatId);
    const messages = itemsOf(await get(`/api/chats/${alias}/messages?limit=100`));
    expect(messages.map((m) => [m['sender'], m['content'], m['erased']])).to.deep.equal([
      [omar.username, omarSays[1], undefined],
      [alias, '', true],
      [omar.username, omarSays[0], undefined],
      [alias, '', true],
    ]);
    const notifications = itemsOf(await get('/api/notifications/?limit=100'));
    expect(notifications.map((n) => [n['action'], (n['data'] as Record<string, unknown>)['erased']]).sort()).to.deep.equal([
      ['game_invite', true],
      ['new_friend', true],
      ['new_tournament', true],
    ]);

    // The history, as events and folded at a point in time.
    const history = itemsOf(await get(`/api/chats/${alias}/history?limit=100`));
    expect(history.filter((h) => h['type'] === 'MessageSent').map((h) => [(h['data'] as Record<string, unknown>)['content'], h['erased']])).to.deep.equal([
      ['', true],
      [omarSays[0], undefined],
      ['', true],
      [omarSays[1], undefined],
    ]);
    const at = bodyOf(await get(`/api/chats/${alias}/history?at=${encodeURIComponent(new Date().toISOString())}`));
    expect((at['messages'] as Record<string, unknown>[]).map((m) => [m['content'], m['erased']])).to.deep.equal([
      ['', true],
      [omarSays[0], undefined],
      ['', true],
      [omarSays[1], undefined],
    ]);
    expect(at['members']).to.include(alias);

    // Frames: a resume from before the chat replays every message, erin's erased.
    const resumed = await omar.connect(svc, { since });
    sockets.push(resumed);
    const replayed = await resumed.collect(1500, (f) => f.action === 'new_message' || f.action === 'game_invite' || f.action === 'new_friend');
    expect(replayed.filter((f) => f.action === 'new_message').map((f) => [f.data['content'], f.data['erased']])).to.deep.equal([
      ['', true],
      [omarSays[0], undefined],
      ['', true],
      [omarSays[1], undefined],
    ]);
    expect(replayed.filter((f) => f.action !== 'new_message').map((f) => [f.action, f.data['username'], f.data['erased']])).to.deep.equal([
      ['game_invite', alias, true],
      ['new_friend', alias, true],
    ]);
    answers.push(replayed);
    expect(leaks(JSON.stringify(answers), erin.secrets), 'REST answers, history and frames').to.deep.equal([]);

    // The read models, overwritten in place, are still what the log derives (erased data read as erased).
    const verified = await runCliProcess('verify', [], { dataDir: svc.dataDir });
    expect(verified.code, verified.stdout + verified.stderr).to.equal(0);

    // audit: the chat, the erased user (by the alias) and the other user.
    const audits = await Promise.all([
      runCliProcess('audit', ['chat', chatId], { dataDir: svc.dataDir }),
      runCliProcess('audit', ['user', alias], { dataDir: svc.dataDir }),
      runCliProcess('audit', ['user', omar.username], { dataDir: svc.dataDir }),
    ]);
    for (const a of audits) expect(a.code, a.stderr).to.equal(0);
    const [chatAudit] = audits;
    expect(leaks(audits.map((a) => a.stdout + a.stderr).join('\n'), erin.secrets), 'audit').to.deep.equal([]);
    expect(leaks(chatAudit?.stdout ?? '', omarSays), 'omar’s messages in the chat’s audit').to.deep.equal(omarSays);
    expect(chatAudit?.stdout.split('\n').filter((l) => l.includes('MessageSent') && l.includes(alias))).to.have.length(2);
    expect(chatAudit?.stdout.split('\n').filter((l) => l.includes('MessageSent') && l.endsWith('[personal data erased]'))).to.have.length(2);

    // export: the log as stored (everyone's personal data sealed); imported with the keys, omar's messages read back, erin's do not.
    const out = join(tempDir('erase-export-'), 'log.ndjson');
    dirs.push(join(out, '..'));
    const exported = await runCliProcess('export', ['--out', out], { dataDir: svc.dataDir });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(leaks(readFileSync(out, 'utf8'), [...erin.secrets, ...omarSays]), 'the export holds personal data sealed only').to.deep.equal([]);
    const elsewhere = tempDir('erase-import-');
    dirs.push(elsewhere);
    for (const file of [KEYS_DB_FILE, `${KEYS_DB_FILE}-wal`, DATA_KEY_FILE])
      if (existsSync(join(svc.dataDir, file))) copyFileSync(join(svc.dataDir, file), join(elsewhere, file));
    const imported = await runCliProcess('import', [out], { dataDir: elsewhere, timeoutMs: 60_000 });
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stderr, 'erin’s keys are gone for good: reported').to.match(/1 of the 2 keys .* not in the key store/);
    const reread = await runCliProcess('audit', ['chat', chatId], { dataDir: elsewhere });
    expect(leaks(reread.stdout, omarSays), 'omar’s messages, from the export').to.deep.equal(omarSays);
    expect(leaks(reread.stdout, erin.secrets), 'erin’s, from the export').to.deep.equal([]);
  });

  it('erasing an unknown id exits 1; erasing twice exits 0 both times', async () => {
    svc = await startTestService();
    const ulla = person('ulla');
    await ulla.http(svc, 'GET', '/api/chats/');
    const unknown = await runCliProcess('erase', [`sub-${randomUUID()}`], { dataDir: svc.dataDir });
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^erase: no user sub-[0-9a-f-]+ in the log\n$/);
    const first = await runCliProcess('erase', [ulla.sub], { dataDir: svc.dataDir });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/is erased: shown as erased-/);
    const second = await runCliProcess('erase', [ulla.sub], { dataDir: svc.dataDir });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.equal(`${ulla.sub} was already erased\n`);
    const events = await svc.service.store.readStream(`user-${ulla.sub}`);
    expect(
      events.map((x) => x.type),
      'one erasure in the log',
    ).to.deep.equal(['UserRegistered', 'ErasureRequested', 'UserErased']);
  });

  it('a user erased and presenting a token again is registered afresh; the old messages stay erased', async () => {
    svc = await startTestService();
    const rita = person('rita');
    const olga = person('olga');
    const r = await rita.connect(svc);
    const o = await olga.connect(svc);
    sockets.push(r, o);
    const chatId = await openChat(svc, rita, olga);
    await Promise.all([r.next((f) => f.action === 'join_chat'), o.next((f) => f.action === 'join_chat')]);
    await exchange(r, o, chatId, rita.say('before'));
    await r.close();
    const erased = await runCliProcess('erase', [rita.sub], { dataDir: svc.dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    await eventually(async () => itemsOf(await olga.http(svc, 'GET', '/api/chats/'))[0]?.['erased'] === true, 'rita erased', 10_000);

    // Rita comes back (same sub, same profile in her token).
    const back = await rita.connect(svc);
    sockets.push(back);
    const after = rita.say('after');
    await exchange(back, o, chatId, after);
    expect((await svc.service.store.readStream(`user-${rita.sub}`)).map((x) => x.type)).to.deep.equal([
      'UserRegistered',
      'ErasureRequested',
      'UserErased',
      'UserRegistered',
    ]);
    const preview = itemsOf(await olga.http(svc, 'GET', '/api/chats/'))[0];
    expect(preview).to.deep.include({ username: rita.username, nickname: rita.nickname, avatar: rita.avatar });
    expect(preview).to.not.have.property('erased');
    const messages = itemsOf(await olga.http(svc, 'GET', `/api/chats/${rita.username}/messages`));
    expect(messages.map((m) => [m['content'], m['erased']])).to.deep.equal([
      [after, undefined],
      ['', true],
    ]);
    const history = itemsOf(await olga.http(svc, 'GET', `/api/chats/${rita.username}/history`));
    expect(history.filter((h) => h['type'] === 'MessageSent').map((h) => (h['data'] as Record<string, unknown>)['content'])).to.deep.equal(['', after]);
  });
});
