import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { startService } from '../../src/interfaces/service.js';
import { serveWith } from '../support/serve-once.js';

describe('a weak JWT_SECRET refuses to start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'weak-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = (secret: string): NodeJS.ProcessEnv => {
    const { JWT_PUBLIC_KEY: _p, ...rest } = process.env;
    return { ...rest, JWT_SECRET: secret, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  };

  for (const [what, secret, rule] of [
    ['a 1-character secret', 'x', /JWT_SECRET is 1 byte long: it must be at least 32 bytes/],
    ['an empty secret', '', /JWT_SECRET is set but empty/],
  ] as const) {
    it(`npm start with ${what} exits 1 with one line saying why`, async () => {
      const { code, output } = await serveWith(env(secret));
      expect(code).to.equal(1);
      const lines = output.trim().split('\n');
      expect(lines, output).to.have.length(1);
      // The CLI convention: one plain line naming the tool and the problem, no stack.
      expect(lines[0])
        .to.match(/^serve: /)
        .and.match(rule);
    });

    it(`startService with ${what} rejects with a ConfigError before opening anything`, async () => {
      const config = loadConfig(env(secret));
      const failure = await startService(config, createLogger('silent')).then(
        async (s) => {
          await s.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(failure).to.be.instanceOf(ConfigError);
      expect((failure as Error).message).to.match(rule);
    });
  }
});
