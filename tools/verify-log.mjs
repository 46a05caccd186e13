#!/usr/bin/env node
// Third-party verifier of the chat-events ledger. One file, Node's own modules only.
//
//   node tools/verify-log.mjs <export.ndjson> <checkpoint file> <verifier key file>
//
// <export.ndjson>  what `npm run export` wrote: one event a line, in log order.
// <checkpoint>     a signed checkpoint (GET /api/ledger/checkpoint, or one kept elsewhere).
// <verifier key>   the key string `<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>` (GET /api/ledger/key).
//
// 1. The checkpoint is a C2SP signed note: text, a blank line, lines `— <name> <base64(key id ‖ signature)>`.
//    Lines of other keys are ignored; every line of this key must verify (Ed25519 over the text), and one must exist.
// 2. Its text is a C2SP tlog-checkpoint: origin, tree size N, base64 root hash.
// 3. Leaf i is the i-th event: the UTF-8 of the RFC 8785 canonical JSON of
//    { v: 1, id, stream, revision, type, metadata, data_hash }, data_hash = hex SHA-256 of the canonical JSON of data.
// 4. The root is the RFC 6962 Merkle tree hash of the first N leaves: leaf SHA-256(0x00 ‖ leaf),
//    node SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below the size.
//
// Exit 0: the export's first N events are those the checkpoint signed (one-line summary).
// Exit 1: they are not, or the checkpoint is not signed by this key. A line that is no event, or whose stream
//         revisions skip or repeat, is named. A changed event that is still well-formed only shows as a root
//         mismatch: an export and one root cannot say which event changed.
// Exit 2: wrong usage, an unreadable file, or a key string that is not an Ed25519 verifier key.
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { TextDecoder } from 'node:util';

class Failure extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const fail = (code, message) => {
  throw new Failure(code, message);
};

const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** Standard base64, canonical form only; undefined otherwise. */
const base64 = (text) => {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
};

/** RFC 8785: members sorted by UTF-16 code units, ECMAScript number and string forms, no non-finite numbers. */
const canonical = (v) => {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : fail(1, `${v} is not a JSON number`);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const names = Object.keys(v).sort(); // JSON.parse output: no undefined members to skip
  return `{${names.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
};

/** A file's text; `badCode` when it is not UTF-8 (whose fault that is depends on who wrote the file). */
const readText = (path, badCode) => {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail(2, `${path}: ${e.message}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(badCode, `${path}: not UTF-8`);
  }
};

/** `<name>+<8 hex id>+<base64(0x01 ‖ key)>`, whose id must be SHA-256(name ‖ \n ‖ 0x01 ‖ key)[:4]. */
const readVerifierKey = (text) => {
  const [name, id, ...rest] = text.trim().split('+');
  const blob = base64(rest.join('+'));
  if (!name || /\s/u.test(name) || !/^[0-9a-f]{8}$/.test(id ?? '') || blob?.length !== 33 || blob[0] !== 0x01)
    fail(2, 'the verifier key is not <name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>');
  if (
    sha256(Buffer.from(`${name}\n`), blob)
      .subarray(0, 4)
      .toString('hex') !== id
  )
    fail(2, `the verifier key's id ${id} does not match its name and key`);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: blob.subarray(1).toString('base64url') }, format: 'jwk' });
  return { name, id, key };
};

/** The checkpoint's text once the key's signature lines check out; then its origin, size and root. */
const openCheckpoint = (note, { name, id, key }) => {
  if ([...note].some((c) => c < ' ' && c !== '\n')) fail(1, 'checkpoint: control characters in the note');
  const split = note.lastIndexOf('\n\n');
  const [text, lines] = [note.slice(0, split + 1), note.slice(split + 2)];
  if (split < 0 || !lines.endsWith('\n')) fail(1, 'checkpoint: not a signed note');
  let signed = 0;
  for (const line of lines.slice(0, -1).split('\n')) {
    const [, lineName, blob64] = /^\u2014 (\S+) (\S+)$/u.exec(line) ?? fail(1, `checkpoint: not a signature line: ${line}`);
    const blob = base64(blob64) ?? fail(1, `checkpoint: signature of ${lineName} is not base64`);
    if (lineName !== name || blob.subarray(0, 4).toString('hex') !== id) continue; // another key's line
    if (blob.length !== 68 || !verify(null, Buffer.from(text), key, blob.subarray(4))) fail(1, `checkpoint: invalid signature by ${name}+${id}`);
    signed++;
  }
  if (signed === 0) fail(1, `checkpoint: no signature by ${name}+${id}`);
  const [origin, size, root64] = text.split('\n');
  const root = base64(root64 ?? '');
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || root?.length !== 32) fail(1, 'checkpoint: the text is not origin, tree size and root hash');
  return { origin, size: Number(size), root };
};

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaf of one export line, or a failure naming the line. */
const leafOf = (text, lineNo, revisions) => {
  let e;
  try {
    e = JSON.parse(text);
  } catch {
    fail(1, `line ${lineNo}: not JSON`);
  }
  const { id, stream, revision, type, data, metadata } = isObject(e) ? e : {};
  if (
    typeof id !== 'string' ||
    typeof stream !== 'string' ||
    typeof type !== 'string' ||
    !isObject(data) ||
    !isObject(metadata) ||
    !Number.isSafeInteger(revision)
  )
    fail(1, `line ${lineNo}: not an exported event (id, stream, revision, type, data, metadata)`);
  // Log order keeps each stream's revisions 0, 1, 2, ...: a removed, repeated or reordered event of a stream shows here.
  const expected = revisions.get(stream) ?? 0;
  if (revision !== expected) fail(1, `line ${lineNo} (event ${id}): stream ${stream} revision ${revision}, expected ${expected}`);
  revisions.set(stream, revision + 1);
  try {
    const dataHash = sha256(canonical(data)).toString('hex');
    return Buffer.from(canonical({ v: 1, id, stream, revision, type, metadata, data_hash: dataHash }));
  } catch (err) {
    return fail(1, `line ${lineNo} (event ${id}): ${err.message}`);
  }
};

/** RFC 6962 root of leaf hashes pushed one by one: full subtrees merge as they fill, the right edge folds at the end. */
const treeBuilder = () => {
  const stack = [];
  return {
    push(leafHash) {
      let node = { level: 0, hash: leafHash };
      while (stack.length > 0 && stack[stack.length - 1].level === node.level) {
        const left = stack.pop();
        node = { level: node.level + 1, hash: sha256(Buffer.of(1), left.hash, node.hash) };
      }
      stack.push(node);
    },
    root: () => stack.reduceRight((acc, n) => (acc === undefined ? n.hash : sha256(Buffer.of(1), n.hash, acc)), undefined) ?? sha256(),
  };
};

const main = async (args) => {
  if (args.length !== 3) fail(2, 'usage: node tools/verify-log.mjs <export.ndjson> <checkpoint file> <verifier key file>');
  const [exportFile, checkpointFile, keyFile] = args;
  const verifier = readVerifierKey(readText(keyFile, 2));
  const checkpoint = openCheckpoint(readText(checkpointFile, 1), verifier);
  const tree = treeBuilder();
  const revisions = new Map();
  let count = 0;
  const input = createReadStream(exportFile);
  const opened = new Promise((resolve, reject) => input.once('open', resolve).once('error', reject));
  await opened.catch((e) => fail(2, `${exportFile}: ${e.message}`));
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (count === checkpoint.size) break; // events after the checkpoint: not covered by it
    count++;
    tree.push(sha256(Buffer.of(0), leafOf(line, count, revisions)));
  }
  lines.close();
  input.destroy();
  if (count < checkpoint.size) fail(1, `the export holds ${count} events, the checkpoint covers ${checkpoint.size}: events from line ${count + 1} are missing`);
  if (!tree.root().equals(checkpoint.root))
    fail(1, `root mismatch: lines 1-${count} are not the ${count} events the checkpoint signed (one of them was changed, inserted, removed or reordered)`);
  return `ok: the first ${count} events of ${exportFile} match the checkpoint of ${checkpoint.origin} signed by ${verifier.name}+${verifier.id} (root ${checkpoint.root.toString('base64')})`;
};

main(process.argv.slice(2)).then(
  (summary) => process.stdout.write(`${summary}\n`),
  (e) => {
    process.stderr.write(`verify-log: ${e.message}\n`);
    process.exitCode = e instanceof Failure ? e.code : 1;
  },
);
