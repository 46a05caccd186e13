import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  consistencyProof,
  EMPTY_ROOT,
  hashChildren,
  hashLeaf,
  inclusionProof,
  rootFromInclusionProof,
  rootOf,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from '../../src/application/ledger/merkle.js';

const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const dh = (s: string): Buffer => Buffer.from(s, 'hex');

/** MTH by its definition in RFC 6962 §2.1, written out again: the independent reference for rootOf. */
const mth = (leaves: readonly Uint8Array[]): Buffer => {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return Buffer.from(leaves[0] ?? []);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
};

/** Leaf hashes of `n` distinct leaves. */
const leafHashes = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));

/**
 * Vectors of transparency-dev/merkle's proof/verify_test.go (Apache-2.0): eight leaves, the roots
 * of the trees of 1..8 of them, and reference inclusion and consistency proofs.
 */
const GO_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(dh);
const GO_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** [1-based leaf, size, proof] */
const GO_INCLUSION: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
/** [size1, size2, proof] */
const GO_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

/** Copies of a proof each altered in one way: a flipped bit in each hash, one hash fewer, one more (front or back). */
const alteredProofs = (proof: readonly Buffer[], extra: Buffer): { what: string; proof: Buffer[] }[] => [
  ...proof.map((_, i) => ({
    what: `bit flipped in hash ${i}`,
    proof: proof.map((h, j) => (j === i ? Buffer.from(h.map((b, k) => (k === 7 ? b ^ 0x10 : b))) : h)),
  })),
  ...(proof.length > 0 ? [{ what: 'last hash missing', proof: proof.slice(0, -1) }] : []),
  ...(proof.length > 0 ? [{ what: 'first hash missing', proof: proof.slice(1) }] : []),
  { what: 'extra hash at the end', proof: [...proof, extra] },
  { what: 'extra hash at the front', proof: [extra, ...proof] },
];

describe('RFC 6962 Merkle tree', () => {
  describe('hashing (known answers of transparency-dev/merkle rfc6962_test.go)', () => {
    it('hashes the empty tree, the empty leaf, a leaf and a node', () => {
      expect(hex(EMPTY_ROOT)).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(hex(hashLeaf(Buffer.alloc(0)))).to.equal('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
      expect(hex(hashLeaf(Buffer.from('L123456')))).to.equal('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
      expect(hex(hashChildren(Buffer.from('N123'), Buffer.from('N456')))).to.equal('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
    });

    it('separates leaves from nodes and orders children', () => {
      const [a, b] = [hashLeaf(Buffer.from('Hello')), hashLeaf(Buffer.from('World'))];
      expect(hex(hashChildren(a, b))).to.not.equal(hex(hashLeaf(Buffer.concat([a, b]))));
      expect(hex(hashChildren(a, b))).to.not.equal(hex(hashChildren(b, a)));
    });

    it('splits at the largest power of two smaller than n', () => {
      expect([2, 3, 4, 5, 8, 9, 100, 2 ** 40 + 1].map(splitPoint)).to.deep.equal([1, 2, 2, 4, 4, 8, 64, 2 ** 40]);
    });
  });

  describe('roots', () => {
    it('match the reference roots of trees of 1..8 leaves', () => {
      const hashes = GO_LEAVES.map(hashLeaf);
      for (let n = 1; n <= 8; n++) expect(hex(rootOf(hashes.slice(0, n))), `size ${n}`).to.equal(GO_ROOTS[n - 1]);
      expect(hex(rootOf([]))).to.equal(hex(EMPTY_ROOT));
    });

    it('equal the RFC definition for every size 0..100 (rootOf merges in one pass)', () => {
      const hashes = leafHashes(100);
      for (let n = 0; n <= 100; n++) expect(hex(rootOf(hashes.slice(0, n))), `size ${n}`).to.equal(hex(mth(hashes.slice(0, n))));
    });
  });

  describe('inclusion proofs', () => {
    it('are the reference proofs, and verify', () => {
      const hashes = GO_LEAVES.map(hashLeaf);
      for (const [leaf, size, want] of GO_INCLUSION) {
        const proof = inclusionProof(hashes, leaf - 1, size);
        expect(proof.map(hex), `leaf ${leaf} of ${size}`).to.deep.equal(want);
        expect(verifyInclusion(leaf - 1, size, hashes[leaf - 1] ?? EMPTY_ROOT, proof, dh(GO_ROOTS[size - 1] ?? ''))).to.equal(true);
      }
    });

    it('round-trip for every leaf of every tree of 1..100 leaves, and altered ones are refused', () => {
      const hashes = leafHashes(201);
      const roots = Array.from({ length: 202 }, (_, n) => rootOf(hashes.slice(0, n)));
      const problems: string[] = [];
      let refused = 0;
      for (let n = 1; n <= 100; n++) {
        const root = roots[n] ?? EMPTY_ROOT;
        for (let i = 0; i < n; i++) {
          const leaf = hashes[i] ?? EMPTY_ROOT;
          const proof = inclusionProof(hashes, i, n);
          const at = `leaf ${i} of ${n}`;
          if (proof.length > Math.ceil(Math.log2(n))) problems.push(`${at}: ${proof.length} hashes`);
          if (!verifyInclusion(i, n, leaf, proof, root)) problems.push(`${at}: does not verify`);
          if (!rootFromInclusionProof(i, n, leaf, proof)?.equals(root)) problems.push(`${at}: leads to another root`);
          const refuse = (ok: boolean, what: string): void => {
            if (ok) problems.push(`${at}: accepted with ${what}`);
            refused++;
          };
          for (const altered of alteredProofs(proof, root)) refuse(verifyInclusion(i, n, leaf, altered.proof, root), altered.what);
          refuse(verifyInclusion(i, n, hashes[i + 1] ?? EMPTY_ROOT, proof, root), 'another leaf');
          refuse(verifyInclusion(i, n, leaf, proof, roots[n - 1] ?? EMPTY_ROOT), 'another root');
          for (const j of [i - 1, i + 1, i ^ 2, n, -1]) if (j !== i) refuse(verifyInclusion(j, n, leaf, proof, root), `index ${j}`);
          // Another size, checked against that size's own root.
          for (const m of [n - 1, n + 1, n * 2, Math.floor(n / 2)])
            if (m !== n) refuse(verifyInclusion(i, m, leaf, proof, roots[m] ?? EMPTY_ROOT), `size ${m}`);
        }
      }
      expect(problems).to.deep.equal([]);
      expect(refused).to.be.greaterThan(50_000);
    });

    it('refuses impossible arguments', () => {
      const hashes = leafHashes(4);
      expect(() => inclusionProof(hashes, 4, 4)).to.throw(RangeError);
      expect(() => inclusionProof(hashes, 0, 5)).to.throw(RangeError);
      expect(() => inclusionProof(hashes, -1, 4)).to.throw(RangeError);
      expect(verifyInclusion(0, 0, hashes[0] ?? EMPTY_ROOT, [], EMPTY_ROOT)).to.equal(false);
      // A single-leaf tree: the root is the leaf hash, and the proof is empty; hashes must be 32 bytes.
      expect(verifyInclusion(0, 1, hashes[0] ?? EMPTY_ROOT, [], hashes[0] ?? EMPTY_ROOT)).to.equal(true);
      expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).to.equal(false);
    });
  });

  describe('consistency proofs', () => {
    it('are the reference proofs, and verify', () => {
      const hashes = GO_LEAVES.map(hashLeaf);
      for (const [from, to, want] of GO_CONSISTENCY) {
        const proof = consistencyProof(hashes, from, to);
        expect(proof.map(hex), `${from} → ${to}`).to.deep.equal(want);
        expect(verifyConsistency(from, to, dh(GO_ROOTS[from - 1] ?? ''), dh(GO_ROOTS[to - 1] ?? ''), proof), `${from} → ${to}`).to.equal(true);
      }
    });

    it('round-trip between every pair of sizes m ≤ n ≤ 100, and altered ones are refused', () => {
      const hashes = leafHashes(201);
      const roots = Array.from({ length: 202 }, (_, n) => rootOf(hashes.slice(0, n)));
      const rootAt = (n: number): Buffer => roots[n] ?? EMPTY_ROOT;
      const problems: string[] = [];
      let refused = 0;
      for (let n = 1; n <= 100; n++) {
        for (let m = 0; m <= n; m++) {
          const proof = consistencyProof(hashes, m, n);
          const at = `${m} → ${n}`;
          if (!verifyConsistency(m, n, rootAt(m), rootAt(n), proof)) problems.push(`${at}: does not verify`);
          if (m === 0 || m === n) {
            if (proof.length > 0) problems.push(`${at}: not empty`);
            continue;
          }
          const refuse = (ok: boolean, what: string): void => {
            if (ok) problems.push(`${at}: accepted with ${what}`);
            refused++;
          };
          for (const altered of alteredProofs(proof, rootAt(n))) refuse(verifyConsistency(m, n, rootAt(m), rootAt(n), altered.proof), altered.what);
          refuse(verifyConsistency(m, n, rootAt(n), rootAt(m), proof), 'swapped roots');
          refuse(verifyConsistency(m, n, rootAt(m), rootAt(n - 1), proof), 'another second root');
          refuse(verifyConsistency(m, n, rootAt(m - 1), rootAt(n), proof), 'another first root');
          refuse(verifyConsistency(m, n, rootAt(m), rootAt(n), []), 'empty proof');
          for (const m2 of [m - 1, m + 1, m ^ 2])
            if (m2 !== m && m2 > 0 && m2 < n) refuse(verifyConsistency(m2, n, rootAt(m2), rootAt(n), proof), `first size ${m2}`);
          for (const n2 of [n - 1, n + 1, n * 2]) if (n2 !== n && n2 > m) refuse(verifyConsistency(m, n2, rootAt(m), rootAt(n2), proof), `second size ${n2}`);
        }
      }
      expect(problems).to.deep.equal([]);
      expect(refused).to.be.greaterThan(50_000);
    });

    it('handles the trivial cases: equal sizes, the empty tree, and time travel', () => {
      const hashes = leafHashes(5);
      const [r3, r5] = [rootOf(hashes.slice(0, 3)), rootOf(hashes)];
      expect(verifyConsistency(3, 3, r3, r3, [])).to.equal(true);
      expect(verifyConsistency(3, 3, r3, r5, [])).to.equal(false);
      expect(verifyConsistency(3, 3, r3, r3, [r3])).to.equal(false);
      expect(verifyConsistency(0, 5, EMPTY_ROOT, r5, [])).to.equal(true);
      expect(verifyConsistency(0, 5, r3, r5, [])).to.equal(false);
      expect(verifyConsistency(0, 5, EMPTY_ROOT, r5, [r5])).to.equal(false);
      expect(verifyConsistency(5, 3, r5, r3, consistencyProof(hashes, 3, 5))).to.equal(false);
      expect(() => consistencyProof(hashes, 4, 3)).to.throw(RangeError);
      expect(() => consistencyProof(hashes, 1, 6)).to.throw(RangeError);
    });
  });
});
