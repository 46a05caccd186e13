import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MISSING_KEY_IN_PRODUCTION } from '../../src/infrastructure/auth/dev-secret.js';
import { serveWith } from '../support/serve-once.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const mint = (base: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${base}/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username: 'mallory' }) });

/** An address of this machine that is not loopback, if it has one. */
const outsideAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

describe('safe by default: tokens are minted only in development, only for this machine', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'production-mode-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const noKeys = (): NodeJS.ProcessEnv => {
    const { JWT_SECRET: _s, JWT_PUBLIC_KEY: _p, ...rest } = process.env;
    return { ...rest, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  };

  for (const [what, extra] of [
    ['no key at all', {}],
    ['an empty JWT_SECRET', { JWT_SECRET: '' }],
  ] as const) {
    it(`NODE_ENV=production with ${what}: npm start exits 1 with one line naming the variables, and creates no secret`, async () => {
      const { code, output } = await serveWith({ ...noKeys(), NODE_ENV: 'production', ...extra });
      expect(code).to.equal(1);
      const lines = output.trim().split('\n');
      expect(lines, output).to.deep.equal([`serve: ${MISSING_KEY_IN_PRODUCTION}`]);
      expect(lines[0]).to.contain('JWT_SECRET').and.contain('JWT_PUBLIC_KEY');
      expect(() => rmSync(join(dir, 'jwt-secret'))).to.throw(/ENOENT/);
    });
  }

  describe('NODE_ENV=production with a key', () => {
    let server: ServerProcess;
    before(async () => {
      server = await startServerProcess({ NODE_ENV: 'production', DATA_DIR: mkdtempSync(join(tmpdir(), 'production-key-')) });
    });
    after(async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    });

    it('POST /demo/token does not exist (404), even from loopback', async () => {
      const answer = await mint(server.base);
      expect(answer.status).to.equal(404);
      expect(await answer.json()).to.deep.equal({ msg: 'Not found' });
    });
  });

  describe('development (no key, no NODE_ENV=production), listening on every interface', () => {
    let server: ServerProcess;
    before(async () => {
      server = await startServerProcess({ JWT_SECRET: undefined, NODE_ENV: undefined, HOST: '0.0.0.0', DATA_DIR: mkdtempSync(join(tmpdir(), 'dev-mint-')) });
    });
    after(async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    });

    it('mints a token for a client on the loopback interface', async () => {
      const answer = await mint(server.base);
      expect(answer.status).to.equal(200);
      expect(await answer.json())
        .to.have.property('token')
        .that.is.a('string');
    });

    it('refuses a forwarded request (403), whatever the proxy that forwarded it', async () => {
      const proxied: Record<string, string>[] = [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }, { 'x-real-ip': '203.0.113.7' }];
      for (const headers of proxied) {
        const answer = await mint(server.base, headers);
        expect(answer.status, JSON.stringify(headers)).to.equal(403);
        const body = (await answer.json()) as { msg: string; token?: string };
        expect(body.token).to.equal(undefined);
        expect(body.msg).to.contain('loopback');
      }
    });

    it("refuses a client reaching it on another of the machine's addresses (403)", async function () {
      const address = outsideAddress();
      if (address === undefined) this.skip();
      const answer = await mint(`http://${address}:${server.port}`);
      expect(answer.status).to.equal(403);
      expect(await answer.json()).to.not.have.property('token');
    });
  });
});
