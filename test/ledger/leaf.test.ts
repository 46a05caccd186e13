import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { CanonicalJsonError, canonicalJsonOf } from '../../src/application/ledger/canonical-json.js';
import { dataHash, leafBytes, leafEventOf, leafHash, leafJson, type LeafEvent } from '../../src/application/ledger/leaf.js';
import { hashLeaf } from '../../src/application/ledger/merkle.js';
import { parseLogLine, toLogLine } from '../../src/application/transfer/log-line.js';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const recorded: RecordedEvent = {
  id: '0190a6f0-8a4b-7d7e-9f10-2b3c4d5e6f70',
  streamId: 'chat-6f1c3c2e-8a4b-5d7e-9f10-2b3c4d5e6f70',
  revision: 3,
  type: 'MessageSent',
  data: { messageId: 'm-1', content: { ciphertext: 'q83vEjRW', keyId: 'k1' }, sentAt: '2026-01-02T03:04:05.000Z', seq: 4, ratio: 0.5, tags: ['a', 'é'] },
  metadata: { userId: 'u-1', correlationId: 'c-1', timestamp: '2026-01-02T03:04:05.000Z', schemaVersion: 1 },
  position: { commit: 42n, prepare: 42n },
};

describe('ledger leaves', () => {
  it('are the canonical JSON of v, id, stream, revision, type, metadata and the hash of the data, with no position', () => {
    const data =
      '{"content":{"ciphertext":"q83vEjRW","keyId":"k1"},"messageId":"m-1","ratio":0.5,"sentAt":"2026-01-02T03:04:05.000Z","seq":4,"tags":["a","é"]}';
    expect(dataHash(recorded.data)).to.equal(sha256Hex(data));
    expect(leafJson(leafEventOf(recorded))).to.equal(
      `{"data_hash":"${sha256Hex(data)}","id":"0190a6f0-8a4b-7d7e-9f10-2b3c4d5e6f70",` +
        '"metadata":{"correlationId":"c-1","schemaVersion":1,"timestamp":"2026-01-02T03:04:05.000Z","userId":"u-1"},' +
        '"revision":3,"stream":"chat-6f1c3c2e-8a4b-5d7e-9f10-2b3c4d5e6f70","type":"MessageSent","v":1}',
    );
    expect(dataHash(recorded.data)).to.match(/^[0-9a-f]{64}$/);
  });

  it('hash as RFC 6962 leaves of their UTF-8 bytes', () => {
    const event = { ...leafEventOf(recorded), metadata: { ...recorded.metadata, correlationId: 'ç-😀' } };
    const bytes = leafBytes(event);
    expect(bytes.toString('utf8')).to.equal(leafJson(event));
    expect(bytes.length).to.equal(leafJson(event).length + 1 + 2); // ç takes 2 bytes, 😀 (2 UTF-16 units) 4
    expect(leafHash(event).toString('hex')).to.equal(hashLeaf(bytes).toString('hex'));
    expect(leafHash(event).toString('hex')).to.equal(createHash('sha256').update(Buffer.of(0)).update(bytes).digest('hex'));
  });

  it('are the same from a stored event and from its export line', () => {
    const line = parseLogLine(toLogLine(recorded), 1);
    expect(leafJson(line)).to.equal(leafJson(leafEventOf(recorded)));
    // An absent optional member and one set to undefined export alike, so they hash alike.
    const withUndefined: RecordedEvent = { ...recorded, metadata: { ...recorded.metadata, causationId: undefined } };
    expect(leafJson(parseLogLine(toLogLine(withUndefined), 1))).to.equal(leafJson(leafEventOf(withUndefined)));
    expect(leafJson(leafEventOf(withUndefined))).to.equal(leafJson(leafEventOf(recorded)));
  });

  it('commit to every field but the position, and to the data only through its hash', () => {
    const base: LeafEvent = leafEventOf(recorded);
    const variants: LeafEvent[] = [
      { ...base, id: `${base.id}x` },
      { ...base, stream: `${base.stream}x` },
      { ...base, revision: 4 },
      { ...base, type: 'MessageEdited' },
      { ...base, metadata: { ...base.metadata, correlationId: 'c-2' } },
      { ...base, metadata: { ...base.metadata, schemaVersion: 2 } },
      { ...base, data: { ...base.data, seq: 5 } },
    ];
    const hashes = new Set([base, ...variants].map((e) => leafHash(e).toString('hex')));
    expect(hashes.size).to.equal(variants.length + 1);
    expect(leafJson(base)).to.not.include('q83vEjRW');
    expect(leafJson(leafEventOf({ ...recorded, position: { commit: 7n, prepare: 7n } }))).to.equal(leafJson(base));
    // Member order is not content.
    const reordered = { ...base, data: Object.fromEntries(Object.entries(base.data).reverse()) };
    expect(leafHash(reordered).equals(leafHash(base))).to.equal(true);
  });

  it('are written in canonical member order: the same text as canonicalising the leaf object (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const event = fc.record({
      id: text,
      stream: text,
      revision: fc.nat(),
      type: text,
      data: fc.dictionary(text, fc.jsonValue({ stringUnit: 'binary', maxDepth: 2 })),
      metadata: fc.record(
        { correlationId: text, timestamp: text, userId: text, causationId: text, schemaVersion: fc.integer({ min: 1, max: 9 }) },
        { requiredKeys: ['correlationId', 'timestamp'] },
      ),
    });
    fc.assert(
      fc.property(event, (e) => {
        const object = { v: 1, id: e.id, stream: e.stream, revision: e.revision, type: e.type, metadata: e.metadata, data_hash: dataHash(e.data) };
        return leafJson(e) === canonicalJsonOf(object) && leafHash(e).equals(hashLeaf(Buffer.from(canonicalJsonOf(object), 'utf8')));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuse data that is not JSON (a non-finite number)', () => {
    expect(() => leafHash({ ...leafEventOf(recorded), data: { n: NaN } })).to.throw(CanonicalJsonError, '$.n');
  });
});
