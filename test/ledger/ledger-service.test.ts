import { expect } from 'chai';
import { canonicalize } from 'json-canonicalize';
import { openCheckpoint, parseVerifierKey, type Checkpoint, type NoteVerifier } from '../../src/application/ledger/checkpoint-note.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/application/ledger/merkle.js';
import { isRecord, makeKnown, putChat, sendMessage, startHttpTestService, uniqueName } from '../http/http-helpers.js';
import type { TestService } from '../support/test-service.js';
import { sleep } from '../support/wait.js';

/** Polls an async condition every 20 ms until it holds, failing after `timeoutMs`. */
const waitFor = async (condition: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
};

/** The verifier key as a client reads it: no token. */
const verifierOf = async (svc: TestService): Promise<NoteVerifier> => {
  const res = await fetch(`${svc.service.url}/api/ledger/key`);
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain/);
  const parsed = parseVerifierKey((await res.text()).trim());
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

const checkpointOf = async (svc: TestService, verifier: NoteVerifier): Promise<{ note: string; checkpoint: Checkpoint }> => {
  const res = await fetch(`${svc.service.url}/api/ledger/checkpoint`);
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain/);
  const note = await res.text();
  const opened = openCheckpoint(note, verifier, 'chat-events');
  if (!opened.ok) throw new Error(opened.reason);
  return { note, checkpoint: opened.value };
};

const b64 = (hashes: unknown): Buffer[] => {
  if (!Array.isArray(hashes)) throw new Error('hashes: not an array');
  return hashes.map((h) => Buffer.from(String(h), 'base64'));
};

/** The event ids of a chat's stream, from its history (what a member can see). */
const chatEventIds = async (svc: TestService, as: string, peer: string): Promise<{ id: string; type: string }[]> => {
  const res = await svc.http('GET', `/api/chats/${peer}/history?limit=100`, { username: as });
  expect(res.status).to.equal(200);
  const items = isRecord(res.body) && Array.isArray(res.body['items']) ? res.body['items'] : [];
  return items.map((i: unknown) => (isRecord(i) ? { id: String(i['id']), type: String(i['type']) } : { id: '', type: '' }));
};

/** `from` opens a chat with `to` and sends one message: its MessageSent event in the chat's history. */
const sendOne = async (svc: TestService, from: string, to: string, text: string): Promise<{ id: string; type: string }> => {
  const { chat } = await putChat(svc, from, to);
  const client = await svc.connect(from);
  try {
    await sendMessage(client, chat.chat_id, text);
  } finally {
    await client.close();
  }
  const message = (await chatEventIds(svc, from, to)).find((e) => e.type === 'MessageSent');
  if (message === undefined) throw new Error('no MessageSent in the history');
  return message;
};

describe('the ledger in the service: checkpoints, key, proofs over HTTP', function () {
  this.timeout(30_000);
  let svc: TestService;
  let verifier: NoteVerifier;
  const [ann, bob, eve] = [uniqueName('ledger_ann'), uniqueName('ledger_bob'), uniqueName('ledger_eve')];

  before(async () => {
    svc = await startHttpTestService({ ledger: { sealIntervalMs: 100, origin: 'chat-events', signingKeyFile: undefined } });
    verifier = await verifierOf(svc);
    await makeKnown(svc, ann, bob, eve);
  });
  after(async () => {
    await svc.stop();
  });

  it('seals while events arrive: each checkpoint signed by the key, growing, consistent with the one before (proof over HTTP)', async () => {
    const first = await waitFor(async () => (await fetch(`${svc.service.url}/api/ledger/checkpoint`)).status === 200, 5000).then(() =>
      checkpointOf(svc, verifier),
    );
    const { chat } = await putChat(svc, ann, bob);
    const client = await svc.connect(ann);
    try {
      for (let i = 0; i < 5; i++) await sendMessage(client, chat.chat_id, `sealed ${i}`);
    } finally {
      await client.close();
    }
    const head = await svc.service.store.headPosition();
    let later = first;
    await waitFor(async () => {
      later = await checkpointOf(svc, verifier);
      return later.checkpoint.size >= Number(head?.commit ?? 0);
    }, 5000);
    expect(later.checkpoint.size).to.be.greaterThan(first.checkpoint.size);
    const res = await svc.http('GET', `/api/ledger/consistency?from=${first.checkpoint.size}&to=${later.checkpoint.size}`);
    expect(res.status).to.equal(200);
    const body = isRecord(res.body) ? res.body : {};
    expect([body['from'], body['to']]).to.deep.equal([first.checkpoint.size, later.checkpoint.size]);
    const proof = b64(body['hashes']);
    expect(verifyConsistency(first.checkpoint.size, later.checkpoint.size, first.checkpoint.root, later.checkpoint.root, proof)).to.equal(true);
    // An altered proof is refused.
    const altered = proof.map((h, i) => (i === 0 ? Buffer.from(h.map((x, j) => (j === 0 ? x ^ 1 : x))) : h));
    if (proof.length > 0)
      expect(verifyConsistency(first.checkpoint.size, later.checkpoint.size, first.checkpoint.root, later.checkpoint.root, altered)).to.equal(false);
    // Every checkpoint signed is kept in the ledger store, in order of size.
    const kept = await svc.service.ledger.store.checkpoints(0, 10_000);
    expect(kept.length).to.be.greaterThan(1);
    expect(kept.map((c) => c.size)).to.deep.equal([...kept.map((c) => c.size)].sort((a, b) => a - b));
  });

  it('proves a message of my chat to me: the leaf hashes into the signed root; the other member too; anyone else gets 404', async () => {
    const message = await sendOne(svc, ann, eve, 'prove me');
    for (const member of [ann, eve]) {
      const res = await svc.http('GET', `/api/ledger/proof?id=${message.id}`, { username: member });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const body = isRecord(res.body) ? res.body : {};
      const opened = openCheckpoint(String(body['checkpoint']), verifier, 'chat-events');
      if (!opened.ok) throw new Error(opened.reason);
      expect(body['size']).to.equal(opened.value.size);
      const leaf = body['leaf'];
      expect(isRecord(leaf) && leaf['id']).to.equal(message.id);
      const leafHash = hashLeaf(Buffer.from(canonicalize(leaf), 'utf8'));
      const hashes = b64(body['hashes']);
      expect(verifyInclusion(Number(body['index']), opened.value.size, leafHash, hashes, opened.value.root)).to.equal(true);
      // The same proof for another leaf, or another index, is refused.
      const other = hashLeaf(Buffer.from(canonicalize({ ...(isRecord(leaf) ? leaf : {}), revision: 99 }), 'utf8'));
      expect(verifyInclusion(Number(body['index']), opened.value.size, other, hashes, opened.value.root)).to.equal(false);
    }
    expect((await svc.http('GET', `/api/ledger/proof?id=${message.id}`, { username: bob })).status).to.equal(404);
    expect((await svc.http('GET', '/api/ledger/proof?id=00000000-0000-4000-8000-000000000000', { username: ann })).status).to.equal(404);
    expect((await svc.http('GET', `/api/ledger/proof?id=${message.id}`)).status).to.equal(401);
  });

  it('proves my own friend notification to me, not to the one who sent it', async () => {
    const client = await svc.connect(bob);
    try {
      client.sendWithRef('add_new_friend', { sender_id: `id-${bob}`, receiver_id: `id-${eve}` }, 'friend');
      await client.next((f) => f.action === 'ack' && f.ref === 'friend');
    } finally {
      await client.close();
    }
    let notificationId = '';
    await waitFor(async () => {
      const res = await svc.http('GET', '/api/notifications/', { username: eve });
      const items = isRecord(res.body) && Array.isArray(res.body['items']) ? res.body['items'] : [];
      const friend = items.find((n: unknown) => isRecord(n) && n['action'] === 'new_friend');
      notificationId = isRecord(friend) ? String(friend['id']) : '';
      return notificationId !== '';
    }, 5000);
    // A friend notification is named by its event's id.
    expect((await svc.http('GET', `/api/ledger/proof?id=${notificationId}`, { username: eve })).status).to.equal(200);
    expect((await svc.http('GET', `/api/ledger/proof?id=${notificationId}`, { username: bob })).status).to.equal(404);
  });

  it('refuses malformed parameters with 400, and sizes beyond the latest checkpoint', async () => {
    for (const query of ['', 'from=1', 'from=-1&to=2', 'from=a&to=2', 'from=01&to=2', 'from=3&to=2', 'from=0&to=999999999'])
      expect((await svc.http('GET', `/api/ledger/consistency?${query}`)).status, query).to.equal(400);
    expect((await svc.http('GET', '/api/ledger/proof', { username: ann })).status).to.equal(400);
    expect((await svc.http('GET', '/api/ledger/proof?id=a&id=b', { username: ann })).status).to.equal(400);
    const trivial = await svc.http('GET', '/api/ledger/consistency?from=0&to=0');
    expect(trivial.status).to.equal(200);
    expect(trivial.body).to.deep.equal({ from: 0, to: 0, hashes: [] });
  });

  it('is ready while it seals; /readyz names no ledger problem', async () => {
    const res = await svc.http('GET', '/readyz');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(svc.service.ledger.writer.problem).to.equal(undefined);
    expect(svc.service.ledger.writer.isOwner).to.equal(true);
  });
});

describe('the ledger in the service: a proof asked for before the ledger took the event', function () {
  this.timeout(30_000);
  let svc: TestService;
  const [ann, eve] = [uniqueName('early_ann'), uniqueName('early_eve')];

  before(async () => {
    // Seals every 2 s, taking events in batches spaced by 250 ms: well behind the history, which reads the log.
    svc = await startHttpTestService({ ledger: { sealIntervalMs: 2000, origin: 'chat-events', signingKeyFile: undefined } });
    await makeKnown(svc, ann, eve);
  });
  after(async () => svc.stop());

  it('waits for the leaf and its checkpoint instead of answering 404 for an event it has not taken yet', async () => {
    const message = await sendOne(svc, ann, eve, 'prove me at once');
    expect(await svc.service.ledger.store.leafIndex(message.id), 'the ledger has not taken the event yet').to.equal(undefined);
    const res = await svc.http('GET', `/api/ledger/proof?id=${message.id}`, { username: eve });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(isRecord(res.body) && isRecord(res.body['leaf']) && res.body['leaf']['id']).to.equal(message.id);
  });
});
