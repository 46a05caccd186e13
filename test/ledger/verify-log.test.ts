import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { formatPosition } from '../../src/application/ports/position.js';
import { formatCheckpoint, signCheckpoint, signNote } from '../../src/application/ledger/checkpoint-note.js';
import { leafEventOf, leafHash } from '../../src/application/ledger/leaf.js';
import { MerkleLog } from '../../src/application/ledger/merkle-log.js';
import { toLogLine } from '../../src/application/transfer/log-line.js';
import { ledgerNoteSigner, ledgerVerifierKey, loadLedgerSigningKey } from '../../src/infrastructure/ledger/signing-key.js';
import { MemoryLedgerStore } from './memory-ledger-store.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TOOL = join(ROOT, 'tools', 'verify-log.mjs');
const ORIGIN = 'chat-events';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = (args: readonly string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [TOOL, ...args], (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });

/** Events of a few streams, interleaved as a log is, with data that exercises canonical JSON. */
const makeEvents = (n: number): RecordedEvent[] => {
  const revisions = new Map<string, number>();
  return Array.from({ length: n }, (_, i) => {
    const streamId = `chat-${i % 7}`;
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    return {
      id: `0190a6f0-0000-7000-8000-${String(i).padStart(12, '0')}`,
      streamId,
      revision,
      type: i % 3 === 0 ? 'MessageSent' : 'MessageRead',
      data: {
        seq: i,
        content: { ciphertext: Buffer.from(`secret ${i}`).toString('base64'), iv: 'AAAA' },
        numbers: [0.1, 1e21, -0, 5e-324, 123456789012345680000],
        text: 'é\u2028😀\ud800"\\',
        '\ufb33': 1,
        '\ud83d\ude00': 2,
        nested: { z: [], a: {}, m: null, b: true },
      },
      metadata: {
        correlationId: `c-${i}`,
        timestamp: new Date(1_700_000_000_000 + i).toISOString(),
        schemaVersion: 1,
        ...(i % 2 === 0 ? { userId: `u-${i % 5}` } : {}),
      },
      position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) },
    };
  });
};

describe('tools/verify-log.mjs (the third-party verifier)', function () {
  this.timeout(60_000);
  let dir: string;
  let lines: string[];
  let exportFile: string;
  let checkpointFile: string;
  let keyFile: string;
  let otherKeyNote: string;
  const EVENTS = 200;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-log-'));
    const events = makeEvents(EVENTS + 10);
    lines = events.map(toLogLine);
    exportFile = join(dir, 'export.ndjson');
    writeFileSync(exportFile, lines.map((l) => `${l}\n`).join(''));
    // The tree as the service builds it, sealed at 200 of the 210 events: the rest came after the checkpoint.
    const log = await MerkleLog.open(new MemoryLedgerStore());
    await log.append(events.slice(0, EVENTS).map((e) => ({ eventId: e.id, hash: leafHash(leafEventOf(e)), position: formatPosition(e.position) })));
    const key = loadLedgerSigningKey({ dataDir: join(dir, 'data') });
    const checkpoint = { origin: ORIGIN, size: EVENTS, root: log.root };
    checkpointFile = join(dir, 'checkpoint');
    writeFileSync(checkpointFile, signCheckpoint(checkpoint, ledgerNoteSigner(ORIGIN, key)));
    keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${ledgerVerifierKey(ORIGIN, key)}\n`);
    const other = loadLedgerSigningKey({ dataDir: join(dir, 'other') });
    otherKeyNote = signCheckpoint(checkpoint, ledgerNoteSigner(ORIGIN, other));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** An export of these lines in a file of its own. */
  const exportOf = (ls: readonly string[], name = `e-${Math.random().toString(36).slice(2)}.ndjson`): string => {
    const path = join(dir, name);
    writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
    return path;
  };

  it('verifies an intact export against a checkpoint of the TypeScript code, events after it not covered', async () => {
    const result = await run([exportFile, checkpointFile, keyFile]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim().split('\n')).to.have.length(1);
    expect(result.stdout).to.match(/^ok: the first 200 events of .* match the checkpoint of chat-events signed by chat-events\+[0-9a-f]{8}/);
  });

  it('fails (1) when one byte of an event’s data changed, reporting the root mismatch', async () => {
    const changed = [...lines];
    changed[57] = (changed[57] ?? '').replace('"seq":57', '"seq":58');
    expect(changed[57]).to.not.equal(lines[57]);
    const result = await run([exportOf(changed), checkpointFile, keyFile]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('root mismatch: lines 1-200');
  });

  it('fails (1) on a removed line, naming the line where its stream skips a revision', async () => {
    const removed = lines.filter((_, i) => i !== 30); // chat-2, revision 4; chat-2's next event was line 38
    const result = await run([exportOf(removed), checkpointFile, keyFile]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('line 37 (event 0190a6f0-0000-7000-8000-000000000037): stream chat-2 revision 5, expected 4');
  });

  it('fails (1) on two swapped lines: named when they share a stream, a root mismatch when they do not', async () => {
    const sameStream = [...lines];
    [sameStream[10], sameStream[17]] = [lines[17] ?? '', lines[10] ?? ''];
    const named = await run([exportOf(sameStream), checkpointFile, keyFile]);
    expect(named.code).to.equal(1);
    expect(named.stderr).to.include('line 11 (event 0190a6f0-0000-7000-8000-000000000017): stream chat-3 revision 2, expected 1');
    const otherStreams = [...lines];
    [otherStreams[10], otherStreams[11]] = [lines[11] ?? '', lines[10] ?? ''];
    const mismatch = await run([exportOf(otherStreams), checkpointFile, keyFile]);
    expect(mismatch.code).to.equal(1);
    expect(mismatch.stderr).to.include('root mismatch');
  });

  it('fails (1) on a checkpoint signed by another key, or altered after signing', async () => {
    const other = join(dir, 'other-checkpoint');
    writeFileSync(other, otherKeyNote);
    const result = await run([exportFile, other, keyFile]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('checkpoint: no signature by chat-events+');
    const text = readFileSync(checkpointFile, 'utf8');
    const altered = join(dir, 'altered-checkpoint');
    writeFileSync(altered, text.replace(`\n${EVENTS}\n`, `\n${EVENTS - 1}\n`));
    const tampered = await run([exportFile, altered, keyFile]);
    expect(tampered.code).to.equal(1);
    expect(tampered.stderr).to.include('checkpoint: invalid signature by chat-events+');
  });

  it('fails (1) on an export shorter than the checkpoint, and on a line that is no event', async () => {
    const short = await run([exportOf(lines.slice(0, 150)), checkpointFile, keyFile]);
    expect(short.code).to.equal(1);
    expect(short.stderr).to.include('the export holds 150 events, the checkpoint covers 200: events from line 151 are missing');
    const broken = [...lines];
    broken[4] = '{"id":"x"';
    const notJson = await run([exportOf(broken), checkpointFile, keyFile]);
    expect(notJson.code).to.equal(1);
    expect(notJson.stderr).to.include('line 5: not JSON');
  });

  it('verifies an empty checkpoint and a checkpoint that carries other keys’ signatures too', async () => {
    const key = loadLedgerSigningKey({ dataDir: join(dir, 'data') });
    const other = loadLedgerSigningKey({ dataDir: join(dir, 'other') });
    const empty = join(dir, 'empty-checkpoint');
    const emptyRoot = (await MerkleLog.open(new MemoryLedgerStore())).root;
    writeFileSync(
      empty,
      signNote(formatCheckpoint({ origin: ORIGIN, size: 0, root: emptyRoot }), [ledgerNoteSigner('witness', other), ledgerNoteSigner(ORIGIN, key)]),
    );
    const result = await run([exportFile, empty, keyFile]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('the first 0 events');
  });

  it('exits 2 on wrong usage, an unreadable file or a key that is no verifier key', async () => {
    expect((await run([])).code).to.equal(2);
    expect((await run([exportFile, checkpointFile])).code).to.equal(2);
    expect((await run([join(dir, 'absent'), checkpointFile, keyFile])).code).to.equal(2);
    expect((await run([exportFile, join(dir, 'absent'), keyFile])).code).to.equal(2);
    const badKey = join(dir, 'bad-key');
    writeFileSync(badKey, 'chat-events+00000000+AAAA\n');
    const bad = await run([exportFile, checkpointFile, badKey]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('verifier key');
  });

  it('imports nothing but node: modules, and stays short enough to read in one sitting', () => {
    const source = readFileSync(TOOL, 'utf8');
    const specifiers = [
      ...source.matchAll(/\bimport\s*(?:[^'"()]*?\s*from\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]?([^'")]*)|\brequire\s*\(\s*['"]?([^'")]*)/g),
    ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
    expect(specifiers.length).to.be.greaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:'))).to.deep.equal([]);
    expect(source.split('\n').length).to.be.at.most(200);
  });
});
