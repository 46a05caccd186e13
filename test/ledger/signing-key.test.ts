import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openCheckpoint, parseVerifierKey, signCheckpoint } from '../../src/application/ledger/checkpoint-note.js';
import { hashLeaf } from '../../src/application/ledger/merkle.js';
import { ConfigError } from '../../src/infrastructure/config/config.js';
import { GENERATED_KEY_FILE, ledgerNoteSigner, ledgerVerifierKey, loadLedgerSigningKey } from '../../src/infrastructure/ledger/signing-key.js';

describe('ledger signing key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without LEDGER_SIGNING_KEY, generates a PKCS#8 key under the data directory (0600) once, and keeps it', () => {
    const dataDir = join(dir, 'data');
    const first = loadLedgerSigningKey({ dataDir });
    expect(first.created).to.equal(true);
    expect(first.path).to.equal(join(dataDir, GENERATED_KEY_FILE));
    expect(statSync(first.path).mode & 0o777).to.equal(0o600);
    expect(readFileSync(first.path, 'utf8')).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readdirSync(dataDir)).to.deep.equal([GENERATED_KEY_FILE]); // no temp file left behind
    const again = loadLedgerSigningKey({ dataDir, keyFile: '' });
    expect(again.created).to.equal(false);
    expect(again.publicKey.equals(first.publicKey)).to.equal(true);
  });

  it('uses the PEM Ed25519 key LEDGER_SIGNING_KEY names, and generates nothing', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'ledger.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const key = loadLedgerSigningKey({ keyFile, dataDir: join(dir, 'data') });
    expect(key.created).to.equal(false);
    expect(key.publicKey.equals(Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url'))).to.equal(true);
    expect(() => statSync(join(dir, 'data'))).to.throw();
  });

  it('refuses a key file that is missing, not a key, or not Ed25519, instead of generating another', () => {
    const dataDir = join(dir, 'data');
    expect(() => loadLedgerSigningKey({ keyFile: join(dir, 'absent.pem'), dataDir })).to.throw(/ENOENT/);
    writeFileSync(join(dir, 'garbage.pem'), 'not a key\n');
    expect(() => loadLedgerSigningKey({ keyFile: join(dir, 'garbage.pem'), dataDir })).to.throw(ConfigError);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'ec.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadLedgerSigningKey({ keyFile: join(dir, 'ec.pem'), dataDir })).to.throw(ConfigError, /not Ed25519/);
    // A damaged generated key is never silently replaced: verifier keys handed out name it.
    loadLedgerSigningKey({ dataDir });
    writeFileSync(join(dataDir, GENERATED_KEY_FILE), 'damaged');
    expect(() => loadLedgerSigningKey({ dataDir })).to.throw(ConfigError);
  });

  it('signs checkpoints that its verifier key string verifies', () => {
    const key = loadLedgerSigningKey({ dataDir: dir });
    const vkey = ledgerVerifierKey('chat-events', key);
    expect(vkey).to.match(/^chat-events\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const verifier = parseVerifierKey(vkey);
    if (!verifier.ok) throw new Error(verifier.reason);
    const checkpoint = { origin: 'chat-events', size: 3, root: hashLeaf(Buffer.from('r')) };
    const note = signCheckpoint(checkpoint, ledgerNoteSigner('chat-events', key));
    expect(openCheckpoint(note, verifier.value, 'chat-events')).to.deep.equal({ ok: true, value: checkpoint });
  });
});
