import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { schemaOf } from '../../src/application/wire/codec-schema.js';
import type { JsonSchema, JsonValue } from '../../src/application/wire/json-schema.js';
import { actionDataCodecs } from '../../src/application/wire/client-actions.js';
import { IntInRange, IsoTimestamp, MessageContent, ShortText, UserId, Username, Uuid } from '../../src/application/wire/primitives.js';

/**
 * The AsyncAPI document's client actions are generated from the gateway's codecs; the schemas
 * declared on custom codecs (patterns, lengths, ranges) are checked here against the codecs'
 * own checks on random samples, valid and not: the codec and the schema must agree on each.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

const agree = (codec: t.Mixed, sample: fc.Arbitrary<unknown>, numRuns = 1500): void => {
  const validate = ajv.compile(schemaOf(codec));
  fc.assert(
    fc.property(sample, (value) => {
      const byCodec = isRight(codec.decode(value));
      const bySchema = validate(value);
      if (byCodec !== bySchema)
        throw new Error(
          `${codec.name}: codec ${byCodec ? 'accepts' : 'refuses'}, schema ${bySchema ? 'accepts' : 'refuses'} ${JSON.stringify(value).slice(0, 300)}`,
        );
    }),
    { numRuns },
  );
};

const isSchema = (v: JsonValue | undefined): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);
const codePoints = (s: string): number => [...s].length;

/** Values a schema accepts (for the subset the codecs produce), to be mutated into near misses. */
const arbitraryOf = (s: JsonSchema): fc.Arbitrary<unknown> => {
  if (Array.isArray(s['enum'])) return fc.constantFrom(...s['enum']);
  switch (s['type']) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Number(s['minimum'] ?? -1e6), max: Number(s['maximum'] ?? 1e6) });
    case 'string': {
      const min = Number(s['minLength'] ?? 0);
      const max = Number(s['maxLength'] ?? 300);
      const source = typeof s['pattern'] === 'string' ? s['pattern'] : undefined;
      const pattern = source === undefined ? undefined : new RegExp(source, 'u');
      const base =
        pattern !== undefined && source?.startsWith('^') === true
          ? fc.stringMatching(pattern)
          : fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
      return base.filter((x) => codePoints(x) >= min && codePoints(x) <= max && (pattern === undefined || pattern.test(x)));
    }
    case 'object': {
      const props = isSchema(s['properties']) ? s['properties'] : {};
      const required = Array.isArray(s['required']) ? s['required'].map(String) : [];
      const record = Object.fromEntries(
        Object.entries(props)
          .filter((e): e is [string, JsonSchema] => isSchema(e[1]))
          .map(([k, v]) => [k, arbitraryOf(v)]),
      );
      return fc.record(record, { requiredKeys: required });
    }
    default:
      throw new Error(`no arbitrary for ${JSON.stringify(s)}`);
  }
};

const odd = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.double(), fc.constantFrom(null, true, '', ' ', [], {}));

/** A valid value, or one changed at one spot: a key dropped, a value replaced, a key added (nested too). */
const nearMisses = (s: JsonSchema): fc.Arbitrary<unknown> =>
  arbitraryOf(s).chain((valid) => {
    if (typeof valid !== 'object' || valid === null) return fc.oneof(fc.constant(valid), odd);
    const record = valid as Record<string, unknown>;
    const keys = Object.keys(isSchema(s['properties']) ? s['properties'] : {});
    if (keys.length === 0) return fc.constant(valid);
    const key = fc.constantFrom(...keys);
    const props = s['properties'] as Record<string, JsonSchema>;
    return fc.oneof(
      fc.constant(valid),
      key.map((k) => Object.fromEntries(Object.entries(record).filter(([x]) => x !== k))),
      fc.tuple(key, odd).map(([k, v]) => ({ ...record, [k]: v })),
      fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), odd).map(([k, v]) => ({ ...record, [k]: v })),
      key.chain((k) => (isSchema(props[k]) && props[k]['type'] === 'object' ? nearMisses(props[k]).map((v) => ({ ...record, [k]: v })) : fc.constant(valid))),
      odd,
    );
  });

const spacey = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b', 'a', 'é', '😀', '-', '.'), { maxLength: 300 })
  .map((cs) => cs.join(''));
const around = (n: number) => fc.integer({ min: Math.max(0, n - 3), max: n + 3 });
const ofLength = (unit: fc.Arbitrary<string>, n: fc.Arbitrary<number>) => n.chain((k) => fc.array(unit, { minLength: k, maxLength: k }).map((a) => a.join('')));

describe('client action schemas agree with the codecs the gateway decodes with', () => {
  it('uuid: any case, nothing around it', () =>
    agree(
      Uuid,
      fc.oneof(
        fc.uuid(),
        fc.uuid().map((u) => u.toUpperCase()),
        fc.uuid().map((u) => `urn:uuid:${u}`),
        fc.uuid().map((u) => `${u}\n`),
        fc.uuid().map((u) => u.slice(1)),
        fc.string(),
      ),
    ));

  it('username: 1–50 of letters, digits, _ - .', () =>
    agree(
      Username,
      fc.oneof(
        ofLength(fc.constantFrom('a', 'Z', '9', '_', '-', '.', ' ', 'é', '\n'), around(50)),
        ofLength(fc.constantFrom('a', 'b'), around(1)),
        fc.string(),
      ),
    ));

  it('message content: 1–256 code points once trimmed, whatever the whitespace', () =>
    agree(
      MessageContent,
      fc.oneof(
        spacey,
        ofLength(fc.constantFrom('a', '😀', ' '), around(256)),
        fc.tuple(spacey, ofLength(fc.constantFrom('x', '😀'), around(256)), spacey).map((p) => p.join('')),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
      ),
      3000,
    ));

  it('ISO timestamps: the shapes accepted are those that parse', () => {
    const iso = fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    const variants = fc
      .tuple(iso, fc.nat(8))
      .map(
        ([s, k]) =>
          [
            s,
            s.slice(0, 16) + 'Z',
            s.slice(0, 19) + '+05:30',
            s.slice(0, 19) + '-0800',
            s.slice(0, 19),
            s.replace('T', ' '),
            s.slice(0, 19) + '.1234567890Z',
            s.replace(/T\d\d/, 'T24'),
            s.slice(0, 19) + '+24:00',
          ][k],
      );
    agree(IsoTimestamp, fc.oneof(iso, variants, fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})$/), fc.string()), 3000);
  });

  it('user ids: 1–128 code points', () =>
    agree(UserId, fc.oneof(ofLength(fc.constantFrom('a', '😀', ' '), around(128)), ofLength(fc.constant('a'), around(1)), fc.string())));

  for (const max of [50, 100, 256]) {
    it(`short text of ${max}: not only spaces, at most ${max} code points`, () =>
      agree(ShortText(max), fc.oneof(spacey, ofLength(fc.constantFrom('a', '😀', ' ', '\t'), around(max)))));
  }

  it('integer ranges: integers only, bounds included', () =>
    agree(IntInRange(3, 20), fc.oneof(fc.integer({ min: 0, max: 25 }), fc.double({ min: 0, max: 25 }), fc.constantFrom('5', null, 3.0, 20.5, -0))));

  for (const [action, codec] of Object.entries(actionDataCodecs) as Array<[string, t.Mixed]>) {
    it(`${action}: valid data and its near misses`, () => agree(codec, nearMisses(schemaOf(codec)), 400));
  }

  it('the sampler itself produces data the codecs accept (so the near misses start from valid data)', () => {
    for (const codec of Object.values(actionDataCodecs) as t.Mixed[]) {
      for (const value of fc.sample(arbitraryOf(schemaOf(codec)), 50))
        expect(isRight(codec.decode(value)), `${codec.name}: ${JSON.stringify(value)}`).to.equal(true);
    }
  });
});
