import { expect } from 'chai';
import WebSocket from 'ws';
import { ChatClient } from '../../sdk/src/client.js';
import { ChatActionError } from '../../sdk/src/errors.js';
import type { ServerFrame } from '../../sdk/src/frames.js';
import type { ChatMessage, Page } from '../../sdk/src/rest-types.js';
import { checkServerFrame } from '../support/contract.js';
import { trackedWebSocket } from '../support/sdk-tab.js';
import { waitUntil } from '../support/wait.js';
import { startTestService, type TestService } from '../support/test-service.js';

describe('sdk: ChatClient against the real server', () => {
  let svc: TestService;
  const clients: ChatClient[] = [];
  const client = (username: string) => {
    const sockets: WebSocket[] = [];
    // Connections wait on this: a test can keep a cut client away until it has done what it missed.
    let gate: Promise<void> = Promise.resolve();
    const c = new ChatClient({
      baseUrl: svc.service.url,
      getToken: async () => {
        await gate;
        return svc.token(username);
      },
      WebSocket: trackedWebSocket(sockets),
      backoff: { baseMs: 20, maxMs: 100 },
    });
    const frames: ServerFrame[] = [];
    c.on('frame', (f) => {
      checkServerFrame(f);
      frames.push(f);
    });
    clients.push(c);
    const holdConnections = (): (() => void) => {
      let release = (): void => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    };
    return { c, frames, cut: () => sockets[sockets.length - 1]?.terminate(), sockets, holdConnections };
  };

  beforeEach(async () => {
    svc = await startTestService();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await svc.stop();
  });

  it('keeps its presence map from the batched frames: a state at connect, then diffs, also after a cut', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await bob.c.connect();
    await alice.c.connect();
    await waitUntil(() => alice.c.presence.isOnline('bob') && alice.c.presence.isOnline('alice'));
    expect(alice.frames.filter((f) => f.action === 'user_online' || f.action === 'user_offline')).to.deep.equal([]);
    expect(alice.frames.some((f) => f.action === 'presence_state')).to.equal(true);
    bob.c.close();
    await waitUntil(() => !alice.c.presence.isOnline('bob'));
    alice.cut();
    const carol = client('carol');
    await carol.c.connect();
    await waitUntil(() => alice.c.presence.isOnline('carol') && alice.frames.filter((f) => f.action === 'presence_state').length === 2);
    expect(alice.c.presence.isOnline('bob')).to.equal(false);
  });

  it('connects, sends a message that resolves with the stored message, and reads it back over REST', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await Promise.all([alice.c.connect(), bob.c.connect()]);
    const chat = await alice.c.rest.openChat('bob');
    const stored = await alice.c.sendMessage(chat.chat_id, '  hello bob  ');
    expect(stored).to.include({ chat_id: chat.chat_id, content: 'hello bob', sender: 'alice', is_read: false, is_liked: false });
    const page: Page<ChatMessage> = await bob.c.rest.messages('alice');
    expect(page.items.map((m) => [m.id, m.content])).to.deep.equal([[stored.id, 'hello bob']]);
    await waitUntil(() => bob.frames.some((f) => f.action === 'new_message' && f.data.id === stored.id));
    await bob.c.like(chat.chat_id, stored.id);
    const own = await alice.c.like(chat.chat_id, stored.id).catch((e: unknown) => e);
    expect(own).to.be.instanceOf(ChatActionError);
    expect(own).to.include({ action: 'like_message', code: 'cannot_like_own_message' });
  });

  it('resolves and rejects invitations by the server’s answers', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await Promise.all([alice.c.connect(), bob.c.connect()]);
    await alice.c.invite('bob', { game_speed: 'fast' });
    expect(await alice.c.invite('bob').catch((e: unknown) => e)).to.include({ code: 'invitation_pending' });
    await waitUntil(() => bob.frames.some((f) => f.action === 'game_invite'));
    await bob.c.acceptInvite('alice');
    await waitUntil(() => alice.frames.some((f) => f.action === 'game_found'));
    expect(await bob.c.cancelInvite('alice').catch((e: unknown) => e)).to.include({ code: 'no_pending_invitation' });
  });

  it('reconnects after a cut, resuming from the last position without loss or duplicate', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await Promise.all([alice.c.connect(), bob.c.connect()]);
    const chat = await alice.c.rest.openChat('bob');
    await waitUntil(() => bob.frames.some((f) => f.action === 'join_chat'));
    const first = await alice.c.sendMessage(chat.chat_id, 'one');
    await waitUntil(() => bob.frames.some((f) => f.action === 'new_message'));
    const readies: boolean[] = [];
    bob.c.on('ready', (r) => readies.push(r.resumed));
    bob.cut();
    const sent = [await alice.c.sendMessage(chat.chat_id, 'two'), await alice.c.sendMessage(chat.chat_id, 'three')];
    await waitUntil(() => bob.frames.filter((f) => f.action === 'new_message').length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    const ids = bob.frames.flatMap((f) => (f.action === 'new_message' ? [f.data.id] : []));
    expect(ids).to.deep.equal([first.id, ...sent.map((m) => m.id)]);
    expect(readies).to.deep.equal([true]);
    expect(bob.sockets).to.have.length(2);
    expect(new URL(bob.sockets[1]?.url ?? '').searchParams.get('since')).to.be.a('string');
  });

  it('sends a message cut off by a dropped socket exactly once', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await Promise.all([alice.c.connect(), bob.c.connect()]);
    const chat = await alice.c.rest.openChat('bob');
    const pending = alice.c.sendMessage(chat.chat_id, 'through the cut');
    alice.cut();
    const stored = await pending;
    expect(stored.content).to.equal('through the cut');
    await new Promise((r) => setTimeout(r, 200));
    const page = await alice.c.rest.messages('bob');
    expect(page.items.map((m) => m.content)).to.deep.equal(['through the cut']);
    expect(alice.sockets).to.have.length(2);
  });

  it('on resync_required tells the application to reload, then goes on live', async () => {
    await svc.stop();
    svc = await startTestService({ ws: { resumeMaxFrames: 1 } });
    const alice = client('alice');
    const bob = client('bob');
    await Promise.all([alice.c.connect(), bob.c.connect()]);
    const chat = await alice.c.rest.openChat('bob');
    await waitUntil(() => bob.frames.some((f) => f.action === 'join_chat'));
    const resyncs: string[] = [];
    bob.c.on('resync', (r) => resyncs.push(r.position));
    // Bob comes back only once both were stored: more than the one frame a resume may replay.
    const release = bob.holdConnections();
    bob.cut();
    await alice.c.sendMessage(chat.chat_id, 'missed one');
    await alice.c.sendMessage(chat.chat_id, 'missed two');
    release();
    await waitUntil(() => resyncs.length === 1);
    expect((await bob.c.rest.messages('alice')).count).to.equal(2);
    const live = await alice.c.sendMessage(chat.chat_id, 'live');
    await waitUntil(() => bob.frames.some((f) => f.action === 'new_message' && f.data.id === live.id));
    expect(bob.frames.filter((f) => f.action === 'new_message').map((f) => f.data.content)).to.deep.equal(['live']);
  });

  it('surfaces REST errors as ChatApiError with status and msg', async () => {
    const alice = client('alice');
    const err = await alice.c.rest.openChat('nobody').catch((e: unknown) => e);
    expect(err).to.include({ name: 'ChatApiError', status: 404 });
    expect((err as { msg: string }).msg)
      .to.be.a('string')
      .and.not.equal('');
    expect(await alice.c.rest.blocks()).to.deep.equal({ items: [], count: 0 });
  });
});
