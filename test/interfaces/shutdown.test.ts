import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { signDevToken } from '../../src/infrastructure/auth/token-signer.js';
import { TestClient } from '../support/test-client.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SECRET = 'shutdown-test-secret-0123456789abcdef';

const waitForListening = (child: ChildProcess): Promise<number> =>
  new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });

describe('npm start process: SIGTERM drains', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('closes sockets with 1001, exits 0, and keeps what was acknowledged', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'interfaces', 'cli', 'serve.js')], {
      env: { ...process.env, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await waitForListening(child);
    const token = (u: string) => signDevToken({ secret: SECRET, userId: `id-${u}`, username: u, expiresInSeconds: 600 });
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/api/chats/`, { headers: { authorization: `Bearer ${token('bob')}` } });
    const opened = await fetch(`${base}/api/chats/bob`, { method: 'PUT', headers: { authorization: `Bearer ${token('alice')}` } });
    const chatId = ((await opened.json()) as { chat_id: string }).chat_id;
    const alice = await TestClient.connect(`ws://127.0.0.1:${port}/ws/events?token=${token('alice')}`);
    alice.send('new_message', { content: 'before shutdown', chat_id: chatId, timestamp: new Date().toISOString() });
    await alice.nextAction('new_message');

    child.kill('SIGTERM');
    const closed = await alice.closed;
    expect(closed.code).to.equal(1001);
    expect(await exited).to.equal(0);

    // The acknowledged message survived: a new process on the same data serves it.
    const again = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'interfaces', 'cli', 'serve.js')], {
      env: { ...process.env, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const againExited = new Promise<number | null>((resolve) => again.on('exit', (code) => resolve(code)));
    const port2 = await waitForListening(again);
    const res = await fetch(`http://127.0.0.1:${port2}/api/chats/bob/messages`, { headers: { authorization: `Bearer ${token('alice')}` } });
    const body = (await res.json()) as { items: Array<{ content: string }> };
    expect(body.items.map((m) => m.content)).to.deep.equal(['before shutdown']);
    again.kill('SIGTERM');
    expect(await againExited).to.equal(0);
  });
});
