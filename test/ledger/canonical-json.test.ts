import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalize } from 'json-canonicalize';
import { CanonicalJsonError, canonicalJson, canonicalJsonOf } from '../../src/application/ledger/canonical-json.js';

/** Any UTF-16 code unit, lone surrogates included: the strings JSON.parse can hand us. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });

describe('RFC 8785 canonical JSON', () => {
  it('serialises the RFC 8785 §3.2.2 sample exactly', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJsonOf(input)).to.equal(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units, not code points (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Object.values would put "1" first (JS orders integer-like names so): compare the text.
    expect(canonicalJson(input)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // The emoji's high surrogate (0xd83d) sorts before 0xfb33 although its code point is larger.
    expect(canonicalJson({ '\ufb33': 1, '\ud83d\ude00': 2 })).to.equal('{"\ud83d\ude00":2,"\ufb33":1}');
  });

  it('writes numbers in ECMAScript form (RFC 8785 appendix B)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [5e-324, '5e-324'],
      [-5e-324, '-5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [-9007199254740992, '-9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
      [1e23, '1e+23'],
      [0.1 + 0.2, '0.30000000000000004'],
    ];
    for (const [n, text] of cases) expect(canonicalJson(n), String(n)).to.equal(text);
  });

  it('escapes strings as ECMAScript does: short escapes, lowercase \\u00xx for other controls, the rest as is', () => {
    expect(canonicalJson('\b\t\n\f\r\u0000\u001f\u007f"\\/é😀')).to.equal('"\\b\\t\\n\\f\\r\\u0000\\u001f\u007f\\"\\\\/é😀"');
    expect(canonicalJson('\ud800')).to.equal('"\\ud800"');
  });

  it('throws on non-finite numbers, naming where they are', () => {
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => canonicalJson(bad)).to.throw(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, { b: Infinity }] })).to.throw(CanonicalJsonError, '$.a[1].b: Infinity is not a JSON number');
  });

  it('refuses what is not JSON at run time, and skips absent members as JSON.stringify does', () => {
    for (const bad of [undefined, () => 1, 10n, Symbol('s'), new Date(0), new Map(), [undefined]])
      expect(() => canonicalJsonOf(bad), String(bad)).to.throw(CanonicalJsonError);
    expect(canonicalJsonOf({ b: 1, a: undefined, c: null })).to.equal('{"b":1,"c":null}');
    expect(canonicalJsonOf(Object.assign(Object.create(null) as object, { z: 1, y: 2 }))).to.equal('{"y":2,"z":1}');
  });

  it('is deterministic whatever the member order, and nests', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' })).to.equal('{"a":"x","b":[3,{"c":2,"d":1}]}');
    expect(canonicalJson({ a: 'x', b: [3, { c: 2, d: 1 }] })).to.equal(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' }));
    expect(canonicalJson([])).to.equal('[]');
    expect(canonicalJson({})).to.equal('{}');
  });

  describe('agrees with json-canonicalize (property tests)', () => {
    it('on arbitrary JSON values with Unicode strings', () => {
      fc.assert(
        fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => canonicalJsonOf(value) === canonicalize(value)),
        { numRuns: 2000 },
      );
    });

    it('on objects whose names and strings are any UTF-16 code units, lone surrogates included', () => {
      const value = fc.dictionary(anyUnits, fc.oneof(anyUnits, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(anyUnits, { maxLength: 3 })));
      fc.assert(
        fc.property(value, (v) => canonicalJson(v) === canonicalize(v)),
        { numRuns: 2000 },
      );
    });

    it('on every finite double', () => {
      fc.assert(
        fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => canonicalJson(n) === canonicalize(n)),
        { numRuns: 5000 },
      );
    });

    it('is a fixed point: parsing canonical JSON and canonicalising again changes nothing', () => {
      fc.assert(
        fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
          const once = canonicalJsonOf(value);
          return canonicalJsonOf(JSON.parse(once)) === once;
        }),
        { numRuns: 1000 },
      );
    });
  });
});
