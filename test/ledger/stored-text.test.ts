import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJsonOf } from '../../src/application/ledger/canonical-json.js';
import { canonicalFromText } from '../../src/application/ledger/canonical-text.js';
import {
  leafEventOf,
  leafHash,
  leafHashAsStoredInto,
  leafHashOfTextInto,
  leafJson,
  leafJsonOfText,
  storedCanonically,
} from '../../src/application/ledger/leaf.js';
import { pagesOf, textPagesOf } from '../../src/application/log/log-reader.js';
import type { EventStore, RecordedEvent, StoredEventText } from '../../src/application/ports/event-store.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 10 });
const jsonWithOddStrings = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyUnits,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(anyUnits, tie('value'), { maxKeys: 5 }),
})).value;

/** An event's fields other than data and metadata. */
const eventFields = { id: fc.uuid(), streamId: fc.string({ maxLength: 20 }), revision: fc.nat(), type: fc.string({ maxLength: 12 }) };

describe('ledger leaves from stored JSON text (what `ledger verify` hashes)', () => {
  it('canonicalFromText answers, when it answers, canonicalJsonOf(JSON.parse(text)) (property, with odd strings and numbers)', () => {
    fc.assert(
      fc.property(jsonWithOddStrings, (v) => {
        const text = JSON.stringify(v);
        const direct = canonicalFromText(text);
        return direct === undefined || direct === canonicalJsonOf(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers for any JSON.stringify text without surrogates or escaped member names (the stores’ form), and not for other forms', () => {
    /** Whether a member name anywhere in `v` is written with an escape. */
    const escapedName = (v: unknown): boolean =>
      typeof v === 'object' && v !== null && Object.entries(v).some(([k, x]) => JSON.stringify(k) !== `"${k}"` || escapedName(x));
    fc.assert(
      fc.property(jsonWithOddStrings, (v) => {
        const text = JSON.stringify(v);
        return /[\ud800-\udfff]|\\ud[89a-f]/.test(text) || escapedName(v) || canonicalFromText(text) === canonicalJsonOf(v);
      }),
      { numRuns: 2000 },
    );
    expect(canonicalFromText('{"b":[1,{"d":true,"c":null}],"a":"x"}')).to.equal('{"a":"x","b":[1,{"c":null,"d":true}]}');
    // The escapes JSON.stringify writes (sealed personal data starts with a tab) are canonical as they are.
    const escaped = JSON.stringify({ b: '\tsealed\n"q"\\ \u0001 \u001f', a: ['\b\f\r', '\\x'] });
    expect(canonicalFromText(escaped)).to.equal(canonicalJsonOf(JSON.parse(escaped)));
    // Whitespace, other escapes, escaped names, non-shortest numbers, repeated names, -0: left to the parser.
    for (const text of [
      '{ "a":1}',
      '{"a":"\\/"}',
      '{"a":"\\u0041"}',
      '{"a":"\\u0009"}',
      '{"a":"\\u001F"}',
      '{"a\\n":1}',
      '{"a":1.0}',
      '{"a":1,"a":2}',
      '{"b":1,"a":2,"b":3}',
      '[-0]',
      '{"a":1}x',
      '"\ud800"',
      '"a\\"',
    ])
      expect(canonicalFromText(text), text).to.equal(undefined);
  });

  it('give the same leaf as the parsed event, whatever form the text is in', () => {
    const event = fc.record({
      ...eventFields,
      data: fc.dictionary(anyUnits, jsonWithOddStrings, { maxKeys: 4 }),
      metadata: fc.record({ correlationId: anyUnits, timestamp: fc.string(), schemaVersion: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['timestamp'] }),
      spaced: fc.boolean(),
    });
    fc.assert(
      fc.property(event, (e) => {
        const stringify = (v: unknown): string => (e.spaced ? JSON.stringify(v, null, 1) : JSON.stringify(v));
        const stored: StoredEventText = { ...e, data: stringify(e.data), metadata: stringify(e.metadata), position: { commit: 1n, prepare: 1n } };
        const parsed = {
          id: e.id,
          stream: e.streamId,
          revision: e.revision,
          type: e.type,
          data: JSON.parse(stored.data),
          metadata: JSON.parse(stored.metadata),
        };
        const out = Buffer.alloc(40);
        leafHashOfTextInto(stored, out, 4);
        return leafJsonOfText(stored) === leafJson(parsed) && out.subarray(4, 36).equals(leafHash(parsed));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashed as stored, canonical text gives the leaf in full; any other form is told apart and gives another hash', () => {
    const event = fc.record({
      ...eventFields,
      data: fc.dictionary(anyUnits, jsonWithOddStrings, { minKeys: 2, maxKeys: 4 }),
      metadata: fc.record({ timestamp: fc.string(), correlationId: anyUnits, schemaVersion: fc.integer({ min: 1, max: 3 }) }),
    });
    fc.assert(
      fc.property(event, (e) => {
        const canonical: StoredEventText = {
          ...e,
          data: canonicalJsonOf(e.data),
          metadata: canonicalJsonOf(e.metadata),
          position: { commit: 1n, prepare: 1n },
        };
        const [full, asStored] = [Buffer.alloc(32), Buffer.alloc(32)];
        leafHashOfTextInto(canonical, full, 0);
        leafHashAsStoredInto(canonical, asStored, 0);
        // Member names in reverse order: the same value, not the canonical text (unless already in order).
        const reversed = (v: object): string =>
          `{${Object.entries(v)
            .reverse()
            .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJsonOf(x)}`)
            .join(',')}}`;
        const other: StoredEventText = { ...canonical, data: reversed(e.data), metadata: reversed(e.metadata) };
        const otherAsStored = Buffer.alloc(32);
        leafHashAsStoredInto(other, otherAsStored, 0);
        const isCanonical = other.data === canonical.data && other.metadata === canonical.metadata;
        // storedCanonically may say no to canonical text it cannot confirm (an escaped name): that costs speed only; a yes must be right.
        return full.equals(asStored) && (!storedCanonically(other) || isCanonical) && otherAsStored.equals(full) === isCanonical;
      }),
      { numRuns: 1000 },
    );
  });

  describe('read from a store', () => {
    let dir = '';
    let store: SqliteEventStore;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'stored-text-'));
      store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
      for (let i = 0; i < 25; i++)
        await store.append(
          `text-${i % 3}`,
          [
            {
              id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
              type: i % 2 === 0 ? 'Even' : 'Odd',
              data: { z: i, a: { text: `é ${i} "quoted"`, list: [i, 0.5, null] } },
              metadata: { correlationId: `c-${i}`, timestamp: '2026-01-02T03:04:05.000Z', schemaVersion: 1 },
            },
          ],
          'any',
        );
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const leavesOf = async (pages: AsyncIterable<{ events: readonly StoredEventText[] }>): Promise<string[]> => {
      const out: string[] = [];
      for await (const page of pages) for (const e of page.events) out.push(leafJsonOfText(e));
      return out;
    };
    const parsedLeaves = async (): Promise<{ leaves: string[]; events: RecordedEvent[] }> => {
      const events: RecordedEvent[] = [];
      for await (const page of pagesOf(store, { pageSize: 7 })) events.push(...page.events);
      return { leaves: events.map((e) => leafJson(leafEventOf(e))), events };
    };

    it('SQLite’s readAllText gives the rows as stored, in log order, with the leaves of readAll’s events', async () => {
      const { leaves, events } = await parsedLeaves();
      expect(events).to.have.length(25);
      const text = await store.readAllText({ maxCount: 100 });
      expect(text.map((e) => [e.id, e.streamId, e.revision, e.type, e.position.commit])).to.deep.equal(
        events.map((e) => [e.id, e.streamId, e.revision, e.type, e.position.commit]),
      );
      expect(text.map((e) => JSON.parse(e.data))).to.deep.equal(events.map((e) => e.data));
      expect(await leavesOf(textPagesOf(store, { pageSize: 7 }))).to.deep.equal(leaves);
      const after = events[9]?.position;
      expect((await store.readAllText({ ...(after === undefined ? {} : { after }), maxCount: 3 })).map((e) => e.id)).to.deep.equal(
        events.slice(10, 13).map((e) => e.id),
      );
    });

    it('SQLite stores data and metadata as canonical JSON (members sorted at every level), which parses to the values appended', async () => {
      const text = await store.readAllText({ maxCount: 100 });
      expect(text).to.have.length(25);
      for (const e of text) {
        expect(e.data).to.equal(canonicalJsonOf(JSON.parse(e.data)));
        expect(e.metadata).to.equal(canonicalJsonOf(JSON.parse(e.metadata)));
        expect(storedCanonically(e)).to.equal(true);
      }
      expect(text[0]?.data).to.equal('{"a":{"list":[0,0.5,null],"text":"é 0 \\"quoted\\""},"z":0}');
      expect(text[0]?.metadata).to.equal('{"correlationId":"c-0","schemaVersion":1,"timestamp":"2026-01-02T03:04:05.000Z"}');
    });

    it('a store without readAllText is read through readAll, to the same leaves', async () => {
      const { leaves } = await parsedLeaves();
      const plain: Pick<EventStore, 'readAll' | 'headPosition'> = { readAll: (o) => store.readAll(o), headPosition: () => store.headPosition() };
      expect(await leavesOf(textPagesOf(plain, { pageSize: 4 }))).to.deep.equal(leaves);
    });
  });
});
