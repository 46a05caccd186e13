import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/infrastructure/config/config.js';
import { DATA_KEY_FILE, loadMasterKeys } from '../../src/infrastructure/keys/master-key.js';

// Known answers from `openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:0001…1f -kdfopt info:<label> HKDF`.
const MASTER = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const WRAPPING = '3f9423077f2628b5425f7651cb99460ca06b92d45b7423dee1d06b29f9a81adf';
const USERNAME_INDEX = 'b25a499c79ff44041c9992d885e03150335a7584c5684a58e0b1089f9696346d';

describe('master key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'data');
  });
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('derives the two keys from DATA_KEY with HKDF-SHA-256 and their own labels, and writes nothing', () => {
    const keys = loadMasterKeys(MASTER.toString('base64'), dataDir);
    expect(keys.wrappingKey.toString('hex')).to.equal(WRAPPING);
    expect(keys.usernameIndexKey.toString('hex')).to.equal(USERNAME_INDEX);
    expect(keys.generated).to.equal(false);
    expect(existsSync(dataDir)).to.equal(false);
  });

  it('takes DATA_KEY with or without padding, and with surrounding whitespace', () => {
    const padded = MASTER.toString('base64');
    for (const text of [padded, padded.replace(/=+$/, ''), ` ${padded}\n`])
      expect(loadMasterKeys(text, dataDir).wrappingKey.toString('hex'), text).to.equal(WRAPPING);
  });

  it('gives other keys for another DATA_KEY', () => {
    const a = loadMasterKeys(randomBytes(32).toString('base64'), dataDir);
    const b = loadMasterKeys(randomBytes(32).toString('base64'), dataDir);
    expect(a.wrappingKey.equals(b.wrappingKey)).to.equal(false);
    expect(a.usernameIndexKey.equals(b.usernameIndexKey)).to.equal(false);
    expect(a.wrappingKey.equals(a.usernameIndexKey)).to.equal(false);
  });

  it('refuses an unusable DATA_KEY in one line that names it and hides its value, without generating a key', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['   ', /is empty/],
      ['not base64 at all!', /is not base64/],
      [randomBytes(32).toString('base64url').replace(/^./, '-'), /is not base64/],
      // Same bytes, but a last character with its unused bits set: not the canonical encoding.
      [`${MASTER.toString('base64').slice(0, -2)}9=`, /is not base64/],
      [randomBytes(16).toString('base64'), /decodes to 16 bytes, not 32/],
      [randomBytes(33).toString('base64'), /decodes to 33 bytes, not 32/],
      [randomBytes(1).toString('base64'), /decodes to 1 byte, not 32/],
    ];
    for (const [value, problem] of cases) {
      let error: unknown;
      try {
        loadMasterKeys(value, dataDir);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(value)).to.be.instanceOf(ConfigError);
      const message = error instanceof Error ? error.message : '';
      expect(message).to.match(problem);
      expect(message).to.match(/^DATA_KEY /);
      expect(message).to.not.include('\n');
      if (value.trim() !== '') expect(message).to.not.include(value.trim());
    }
    expect(existsSync(dataDir)).to.equal(false);
  });

  it('generates the master secret under the data directory on first start (0600) and keeps it', () => {
    const first = loadMasterKeys(undefined, dataDir);
    expect(first.generated).to.equal(true);
    const path = join(dataDir, DATA_KEY_FILE);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).to.match(/^[A-Za-z0-9+/]{43}=\n$/);
    const second = loadMasterKeys(undefined, dataDir);
    expect(second.wrappingKey.equals(first.wrappingKey)).to.equal(true);
    expect(second.usernameIndexKey.equals(first.usernameIndexKey)).to.equal(true);
    // The file is the master secret itself: setting it as DATA_KEY gives the same keys.
    expect(loadMasterKeys(text, dataDir).wrappingKey.equals(first.wrappingKey)).to.equal(true);
    expect(readFileSync(path, 'utf8')).to.equal(text);
    expect(readdirSync(dataDir)).to.deep.equal([DATA_KEY_FILE]);
  });

  it('uses a data-key file that is already there', () => {
    loadMasterKeys(undefined, dataDir);
    writeFileSync(join(dataDir, DATA_KEY_FILE), `${MASTER.toString('base64')}\n`);
    expect(loadMasterKeys(undefined, dataDir).wrappingKey.toString('hex')).to.equal(WRAPPING);
    expect(readFileSync(join(dataDir, DATA_KEY_FILE), 'utf8')).to.equal(`${MASTER.toString('base64')}\n`);
  });

  it('refuses, and never replaces, a corrupt data-key file', () => {
    loadMasterKeys(undefined, dataDir);
    const path = join(dataDir, DATA_KEY_FILE);
    for (const corrupt of ['', 'garbage\n', `${randomBytes(16).toString('base64')}\n`]) {
      writeFileSync(path, corrupt);
      expect(() => loadMasterKeys(undefined, dataDir), JSON.stringify(corrupt)).to.throw(ConfigError, path);
      expect(readFileSync(path, 'utf8')).to.equal(corrupt);
    }
  });
});
