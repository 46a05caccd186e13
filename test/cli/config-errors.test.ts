import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';
import { runCliProcess, tempDir } from './cli-process.js';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('Configuration errors in plain words', () => {
  it('one line per bad variable: its name, what is wrong with the value, what is accepted', () => {
    expect(problems({ PORT: 'abc', LOG_LEVEL: 'loud', WS_RATE_BURST: '-3', SQLITE_SYNCHRONOUS: 'OFF', INVITE_TTL_MS: '' })).to.deep.equal([
      'PORT="abc" is not a whole number; expected a whole number from 0 to 65535',
      'LOG_LEVEL="loud" is not a known value; expected one of fatal, error, warn, info, debug, trace, silent',
      'INVITE_TTL_MS="" is empty; expected a whole number ≥ 0',
      'WS_RATE_BURST="-3" is negative; expected a whole number ≥ 0',
      'SQLITE_SYNCHRONOUS="OFF" is not a known value; expected one of FULL, NORMAL',
    ]);
    expect(problems({ PORT: '70000' })).to.deep.equal(['PORT="70000" is out of range; expected a whole number from 0 to 65535']);
  });

  it('good values still decode (digits with spaces around, the default when unset)', () => {
    const c = loadConfig({ PORT: ' 9090 ', SQLITE_SYNCHRONOUS: 'NORMAL' });
    expect([c.port, c.sqliteSynchronous, c.logLevel]).to.deep.equal([9090, 'NORMAL', 'info']);
  });

  it('a long value is cut in the message', () => {
    const [line] = problems({ PORT: 'x'.repeat(500) });
    expect(line).to.equal(`PORT="${'x'.repeat(40)}…" is not a whole number; expected a whole number from 0 to 65535`);
  });

  it('serve with PORT=abc: one short line on stderr naming PORT, exit 1, nothing else', async () => {
    const dataDir = tempDir();
    try {
      const r = await runCliProcess('serve', [], { dataDir, env: { PORT: 'abc', LOG_LEVEL: 'info' } });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal('serve: PORT="abc" is not a whole number; expected a whole number from 0 to 65535\n');
      expect(r.stderr.length).to.be.below(120);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('serve with a DATA_KEY that is not 32 bytes of base64, or empty: one line that never echoes it, exit 1', async () => {
    const dataDir = tempDir();
    try {
      for (const [value, why] of [
        ['c2hvcnQ=', 'decodes to 5 bytes, not 32'],
        ['not base64 at all!', 'is not base64'],
        ['', 'is empty'],
      ] as const) {
        const r = await runCliProcess('serve', [], { dataDir, env: { DATA_KEY: value, LOG_LEVEL: 'info' } });
        expect(r.code, value).to.equal(1);
        expect(r.stderr).to.match(new RegExp(`^serve: DATA_KEY \\(value hidden\\) ${why}; set it to 32 random bytes in base64`));
        expect(r.stderr.split('\n').filter((l) => l !== '')).to.have.length(1);
        if (value !== '') expect(r.stderr).to.not.include(value);
      }
      expect(existsSync(join(dataDir, 'data-key')), 'no key generated in its place').to.equal(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
