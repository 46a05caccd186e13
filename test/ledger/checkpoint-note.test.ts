import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import {
  decodeBase64,
  ed25519KeyId,
  ed25519VerifierKey,
  formatCheckpoint,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  type NoteSigner,
  type NoteVerifier,
} from '../../src/application/ledger/checkpoint-note.js';
import { hashLeaf } from '../../src/application/ledger/merkle.js';

/** Vectors of golang.org/x/mod/sumdb/note's note_test.go (BSD): keys, a text and its signatures. */
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

/** Checkpoints published by sum.golang.org, the Go checksum database, and its verifier key. */
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINTS = [
  'go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/C8DJ87F61QqspBYwM=\n',
  'go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n— sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cVtYspg3dxXABkGZZKdsQ8=\n',
];

const verifier = (vkey: string): NoteVerifier => {
  const parsed = parseVerifierKey(vkey);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

/** A Node key from a Go note signer key (`PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)`), through PKCS#8 DER. */
const goSigner = (skey: string): NoteSigner => {
  const parts = skey.split('+');
  const [, , name = '', id = ''] = parts;
  const key64 = parts.slice(4).join('+');
  const seed = (decodeBase64(key64) ?? Buffer.alloc(0)).subarray(1);
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  return { name, keyId: parseInt(id, 16), sign: (m) => sign(null, m, key) };
};

const freshKey = (name: string): { signer: NoteSigner; vkey: string; key: KeyObject } => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return { signer: { name, keyId: ed25519KeyId(name, raw), sign: (m) => sign(null, m, privateKey) }, vkey: ed25519VerifierKey(name, raw), key: privateKey };
};

describe('signed notes (C2SP signed-note, Ed25519)', () => {
  it('read and write the reference verifier key, whose id is SHA-256(name ‖ \\n ‖ 0x01 ‖ key)[:4]', () => {
    const peter = verifier(PETER_VKEY);
    expect(peter.name).to.equal('PeterNeumann');
    expect(peter.keyId).to.equal(0xc74f20a3);
    expect(peter.publicKey).to.have.length(32);
    expect(ed25519KeyId(peter.name, peter.publicKey)).to.equal(0xc74f20a3);
    expect(ed25519VerifierKey(peter.name, peter.publicKey)).to.equal(PETER_VKEY);
    // A key whose base64 holds '+' (the first two '+' separate the fields).
    expect(verifier(SUMDB_VKEY).name).to.equal('sum.golang.org');
  });

  it('refuse every mangling of a verifier key (as Go does: each substring, each byte changed)', () => {
    const accepted: string[] = [];
    for (let i = 0; i <= PETER_VKEY.length; i++)
      for (let j = i + 1; j <= PETER_VKEY.length; j++)
        if ((i !== 0 || j !== PETER_VKEY.length) && parseVerifierKey(PETER_VKEY.slice(i, j)).ok) accepted.push(PETER_VKEY.slice(i, j));
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      if (parseVerifierKey(changed).ok) accepted.push(changed);
    }
    expect(accepted).to.deep.equal([]);
    expect(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==').ok).to.equal(false);
    expect(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').ok).to.equal(false);
  });

  it('sign the reference note byte for byte with the reference key (Ed25519 is deterministic)', () => {
    const signer = goSigner(PETER_SKEY);
    expect(signer.keyId).to.equal(0xc74f20a3);
    expect(signNote(TEXT, [signer])).to.equal(`${TEXT}\n${PETER_SIG}`);
  });

  it('open the reference note, ignoring lines of other keys', () => {
    const peter = verifier(PETER_VKEY);
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, peter);
    expect(opened.ok && opened.value.text).to.equal(TEXT);
    expect(opened.ok && opened.value.signatures.map((s) => s.name)).to.deep.equal(['PeterNeumann', 'EnochRoot']);
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, verifier(ENOCH_VKEY)).ok).to.equal(true);
    // Lines of unknown keys are not checked, even broken ones; repeated good lines of the known key are fine.
    const brokenEnoch = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    expect(openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${brokenEnoch}`, peter).ok).to.equal(true);
    // Another key with the same name, or the same id under another name, is another key.
    const sameName = freshKey('PeterNeumann');
    expect(openNote(signNote(TEXT, [sameName.signer]) + PETER_SIG, peter).ok).to.equal(true);
    const sameId: NoteSigner = { ...sameName.signer, name: 'Impostor', keyId: 0xc74f20a3 };
    expect(openNote(signNote(TEXT, [sameId]) + PETER_SIG, peter).ok).to.equal(true);
  });

  it('fail closed: a bad line of the known key fails the note even beside a good one, and no line of it fails too', () => {
    const peter = verifier(PETER_VKEY);
    const broken = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    const refusal = (note: string): string => {
      const opened = openNote(note, peter);
      return opened.ok ? 'accepted' : opened.reason;
    };
    expect(refusal(`${TEXT}\n${broken}`)).to.equal('invalid signature for key PeterNeumann+c74f20a3');
    expect(refusal(`${TEXT}\n${PETER_SIG}${broken}`)).to.equal('invalid signature for key PeterNeumann+c74f20a3');
    expect(refusal(`${TEXT}\n${broken}${PETER_SIG}`)).to.equal('invalid signature for key PeterNeumann+c74f20a3');
    expect(refusal(`${TEXT}\n${ENOCH_SIG}`)).to.equal('no signature by PeterNeumann+c74f20a3');
    expect(refusal(`${TEXT.replace('cryptography', 'cryptographY')}\n${PETER_SIG}`)).to.equal('invalid signature for key PeterNeumann+c74f20a3');
    // A garbage blob of the right key id but the wrong length is a bad signature, not an unknown one.
    const shortSig = `— PeterNeumann ${Buffer.concat([Buffer.from('c74f20a3', 'hex'), Buffer.alloc(10)]).toString('base64')}\n`;
    expect(refusal(`${TEXT}\n${shortSig}${PETER_SIG}`)).to.equal('invalid signature for key PeterNeumann+c74f20a3');
  });

  it('refuse malformed notes (the reference list)', () => {
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
      `${TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n`,
      `${TEXT}\n— PeterNeumann AAAA\n`,
      `\ud800${TEXT}\n${PETER_SIG}`,
    ];
    for (const note of bad) {
      expect(parseNote(note).ok, JSON.stringify(note.slice(0, 40))).to.equal(false);
      expect(openNote(note, verifier(PETER_VKEY)).ok).to.equal(false);
    }
    // Blank lines inside the text are fine: the last blank line separates the signatures.
    const withBlank = signNote('a\n\nb\n', [goSigner(PETER_SKEY)]);
    expect(openNote(withBlank, verifier(PETER_VKEY))).to.deep.include({ ok: true });
  });

  it('refuse to sign text that is not a note text', () => {
    const signer = goSigner(PETER_SKEY);
    for (const text of ['', 'no newline', 'tab\there\n', '\ud800\n']) expect(() => signNote(text, [signer]), JSON.stringify(text)).to.throw(RangeError);
    expect(() => signNote(TEXT, [])).to.throw(RangeError);
    expect(() => signNote(TEXT, [{ ...signer, name: 'a+b' }])).to.throw(RangeError);
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  it('verify checkpoints published by the Go checksum database', () => {
    const sumdb = verifier(SUMDB_VKEY);
    const [first, second] = SUMDB_CHECKPOINTS.map((note) => openCheckpoint(note, sumdb, 'go.sum database tree'));
    expect(first).to.deep.include({ ok: true });
    expect(first?.ok && first.value.size).to.equal(31700353);
    expect(first?.ok && first.value.root.toString('base64')).to.equal('qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=');
    expect(second?.ok && second.value.size).to.equal(65209736);
    const altered = (SUMDB_CHECKPOINTS[0] ?? '').replace('31700353', '31700354');
    expect(openCheckpoint(altered, sumdb).ok).to.equal(false);
    expect(openCheckpoint(SUMDB_CHECKPOINTS[0] ?? '', sumdb, 'chat-events').ok).to.equal(false);
  });

  it('write origin, decimal size and base64 root, each on its own line, and read them back', () => {
    const checkpoint = { origin: 'chat-events', size: 1234, root: hashLeaf(Buffer.from('x')) };
    const body = formatCheckpoint(checkpoint);
    expect(body).to.equal(`chat-events\n1234\n${checkpoint.root.toString('base64')}\n`);
    expect(parseCheckpoint(body)).to.deep.equal({ ok: true, value: checkpoint });
    expect(parseCheckpoint(`${body}ext line\n`)).to.deep.equal({ ok: true, value: checkpoint });
    expect(formatCheckpoint({ ...checkpoint, size: 0 })).to.match(/^chat-events\n0\n/);
  });

  it('refuse malformed bodies', () => {
    const root = hashLeaf(Buffer.from('x')).toString('base64');
    const bad = [
      `chat-events\n1234\n${root}`,
      `\n1234\n${root}\n`,
      `chat-events\n01234\n${root}\n`,
      `chat-events\n-1\n${root}\n`,
      `chat-events\n1e3\n${root}\n`,
      `chat-events\n99999999999999999999\n${root}\n`,
      `chat-events\n12\n${root.slice(0, -4)}\n`,
      `chat-events\n12\n${root} \n`,
      `chat-events\n12\n${root}\n\nafter a blank\n`,
      'chat-events\n12\n',
    ];
    for (const body of bad) expect(parseCheckpoint(body).ok, JSON.stringify(body)).to.equal(false);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root: hashLeaf(Buffer.alloc(0)) })).to.throw(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1.5, root: hashLeaf(Buffer.alloc(0)) })).to.throw(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, root: Buffer.alloc(31) })).to.throw(RangeError);
  });

  it('are signed and verified end to end, and a checkpoint of another key or origin is refused', () => {
    const ours = freshKey('chat-events');
    const theirs = freshKey('chat-events');
    const checkpoint = { origin: 'chat-events', size: 10, root: hashLeaf(Buffer.from('root')) };
    const note = signCheckpoint(checkpoint, ours.signer);
    expect(note.startsWith(formatCheckpoint(checkpoint) + '\n— chat-events ')).to.equal(true);
    expect(openCheckpoint(note, verifier(ours.vkey), 'chat-events')).to.deep.equal({ ok: true, value: checkpoint });
    expect(openCheckpoint(note, verifier(theirs.vkey)).ok).to.equal(false);
    expect(openCheckpoint(note, verifier(ours.vkey), 'other').ok).to.equal(false);
    expect(openCheckpoint(signCheckpoint(checkpoint, theirs.signer), verifier(ours.vkey)).ok).to.equal(false);
  });
});
