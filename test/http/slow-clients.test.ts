import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/wait.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
/** The README's bound: the timeout, node's check every second, and the second the answer may take to be written. */
const boundMs = (timeoutMs: number): number => timeoutMs + 1000 + 1000;

const openDescriptors = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

interface SlowClient {
  readonly socket: Socket;
  /** What the server sent; read only at the end (the client reads nothing meanwhile). */
  readonly received: () => string;
  readonly ended: Promise<void>;
}

/** Connects, writes `text` (an unfinished request) and then neither writes nor reads. */
const slowClient = (port: number, text: string): Promise<SlowClient> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    const ended = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      socket.write(text);
      socket.pause();
      resolve({ socket, received: () => data, ended });
    });
    socket.once('error', reject);
  });

describe('slow or silent HTTP clients are answered 408 and their sockets released', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slow-clients-'));
    server = await startServerProcess({ DATA_DIR: dir, HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS) });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const pid = (): number => server.child.pid ?? -1;

  /** Opens `n` clients, checks the server holds their sockets, then that it is back to `before` within the bound. */
  const holdAndRelease = async (n: number, text: string, timeoutMs: number): Promise<SlowClient[]> => {
    await sleep(200);
    const before = openDescriptors(pid());
    const clients = await Promise.all(Array.from({ length: n }, () => slowClient(server.port, text)));
    await sleep(100);
    expect(openDescriptors(pid()) - before, 'the server holds a socket per client').to.be.at.least(n * 0.75);
    const deadline = Date.now() + boundMs(timeoutMs);
    while (openDescriptors(pid()) > before && Date.now() < deadline) await sleep(100);
    expect(openDescriptors(pid()), `open descriptors ${boundMs(timeoutMs)} ms later`).to.be.at.most(before);
    return clients;
  };

  it('200 clients that never finish their headers and never read: 408, and every socket is destroyed within the bound', async () => {
    const clients = await holdAndRelease(200, 'GET /api/chats/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', HEADERS_MS);
    for (const c of clients) c.socket.resume();
    await Promise.all(clients.map((c) => c.ended));
    for (const c of clients) {
      expect(c.received()).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(c.received()).to.contain('{"msg":"Request timed out"}');
    }
  });

  it('clients that send headers but never their body: 408 within the whole-request bound', async () => {
    const clients = await holdAndRelease(
      20,
      'PUT /api/blocks/someone HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
      REQUEST_MS,
    );
    for (const c of clients) c.socket.resume();
    await Promise.all(clients.map((c) => c.ended));
    for (const c of clients) expect(c.received()).to.match(/^HTTP\/1\.1 408 /);
  });

  it('still serves everyone else meanwhile', async () => {
    const slow = await Promise.all(Array.from({ length: 50 }, () => slowClient(server.port, 'GET / HTTP/1.1\r\n')));
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).to.equal(200);
    for (const c of slow) c.socket.destroy();
  });
});
