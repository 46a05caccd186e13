import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256, and reference proofs over an in-memory
 * list of leaf hashes. The incremental tree (merkle-log.ts) must answer exactly what these answer.
 */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.of(0x00);
/** Scratch for node hashing (0x01 ‖ left ‖ right): one-shot hashing of one buffer is the fastest Node offers. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * SHA-256 of `data` as a Buffer. Through a latin1 ('binary') string (one character per byte, copied back
 * into a pooled Buffer): on Node 20 a 'buffer' digest costs twice the whole hash of a node (its
 * allocation), and base64 costs a decoding.
 */
export const sha256 = (data: Uint8Array | string): Buffer => Buffer.from(hash('sha256', data, 'binary'), 'latin1');

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export const hashLeaf = (leaf: Uint8Array): Buffer => sha256(Buffer.concat([LEAF_PREFIX, leaf]));

/** SHA-256(0x01 ‖ left ‖ right). */
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer => {
  // Anything but two hashes (the RFC's vectors hash short strings) takes the general path.
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(Buffer.concat([Buffer.of(0x01), left, right]));
  nodeInput[0] = 0x01;
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
};

/**
 * A node hashed where its children lie: `pair` holds 0x01 ‖ left ‖ right, and the node's hash is
 * written over `right`, so a verifier merging a million nodes allocates no Buffer per node.
 */
export const mergeInPlace = (pair: Buffer): void => {
  writeDigest(hash('sha256', pair, 'binary'), pair, 1 + HASH_SIZE);
};

/** Writes a digest given as a latin1 string (one character per byte) at `at`: a loop, cheaper than Buffer.write's checks for 32 bytes. */
export const writeDigest = (digest: string, out: Buffer, at: number): void => {
  for (let i = 0; i < digest.length; i++) out[at + i] = digest.charCodeAt(i);
};

/** The RFC's split point: the largest power of two strictly smaller than n (n ≥ 2). Arithmetic, not bit operations, so sizes past 2^31 work. */
export const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** MTH(D[lo:hi]) by the RFC's recursion: the reference the stack version below is tested against. */
const subtreeRoot = (hashes: readonly Uint8Array[], lo: number, hi: number): Buffer => {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return Buffer.from(hashes[lo] ?? EMPTY_ROOT);
  const k = splitPoint(n);
  return hashChildren(subtreeRoot(hashes, lo, lo + k), subtreeRoot(hashes, lo + k, hi));
};

/**
 * Root of the tree over these leaf hashes, in one pass: complete subtrees are merged as they
 * fill (a binary counter), and the ragged right edge is folded at the end, which is the RFC's split.
 */
export const rootOf = (leafHashes: readonly Uint8Array[]): Buffer => {
  const stack: { level: number; hash: Uint8Array }[] = [];
  for (const hash of leafHashes) {
    let node = { level: 0, hash };
    for (let top = stack.at(-1); top !== undefined && top.level === node.level; top = stack.at(-1)) {
      stack.pop();
      node = { level: node.level + 1, hash: hashChildren(top.hash, node.hash) };
    }
    stack.push(node);
  }
  return foldRight(stack.map((s) => s.hash));
};

/** Root of complete subtrees laid left to right, largest first: h0 ⊕ (h1 ⊕ (… ⊕ hk)). */
export const foldRight = (hashes: readonly Uint8Array[]): Buffer => {
  let acc: Uint8Array | undefined;
  for (let i = hashes.length - 1; i >= 0; i--) {
    const h = hashes[i] ?? EMPTY_ROOT;
    acc = acc === undefined ? h : hashChildren(h, acc);
  }
  return acc === undefined ? EMPTY_ROOT : Buffer.from(acc);
};

/** PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, leaf-side first. */
const path = (hashes: readonly Uint8Array[], m: number, lo: number, hi: number): Buffer[] => {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  return m < k ? [...path(hashes, m, lo, lo + k), subtreeRoot(hashes, lo + k, hi)] : [...path(hashes, m - k, lo + k, hi), subtreeRoot(hashes, lo, lo + k)];
};

/** Inclusion proof of leaf `index` in the tree of the first `size` leaf hashes (default: all). */
export const inclusionProof = (leafHashes: readonly Uint8Array[], index: number, size = leafHashes.length): Buffer[] => {
  if (!isSize(size) || size > leafHashes.length || !Number.isSafeInteger(index) || index < 0 || index >= size)
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  return path(leafHashes, index, 0, size);
};

/** SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1. */
const subproof = (hashes: readonly Uint8Array[], m: number, lo: number, hi: number, complete: boolean): Buffer[] => {
  const n = hi - lo;
  if (m === n) return complete ? [] : [subtreeRoot(hashes, lo, hi)];
  const k = splitPoint(n);
  return m <= k
    ? [...subproof(hashes, m, lo, lo + k, complete), subtreeRoot(hashes, lo + k, hi)]
    : [...subproof(hashes, m - k, lo + k, hi, false), subtreeRoot(hashes, lo, lo + k)];
};

/** Consistency proof from the tree of the first `from` leaves to the tree of the first `to` (default: all). */
export const consistencyProof = (leafHashes: readonly Uint8Array[], from: number, to = leafHashes.length): Buffer[] => {
  if (!isSize(from) || !isSize(to) || from > to || to > leafHashes.length) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  // Trivial cases (RFC 9162 defines proofs for 0 < from < to only): nothing to prove.
  if (from === 0 || from === to) return [];
  return subproof(leafHashes, from, 0, to, true);
};

const isPowerOfTwo = (n: number): boolean => {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
};

const isHash = (h: Uint8Array): boolean => h.length === HASH_SIZE;

/** RFC 9162 §2.1.3.2: the root this proof leads to, or undefined when the proof cannot be one for (index, size). */
export const rootFromInclusionProof = (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Buffer | undefined => {
  if (!isSize(size) || !Number.isSafeInteger(index) || index < 0 || index >= size) return undefined;
  if (!isHash(leafHash) || !proof.every(isHash)) return undefined;
  // fn and sn are the node's and the last node's position at the current level; halving them climbs a level.
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      // A left child with no right sibling at this level: its parent is itself, climb without hashing.
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      r = hashChildren(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 ? Buffer.from(r) : undefined;
};

export const verifyInclusion = (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean => {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  return computed !== undefined && isHash(root) && computed.equals(root);
};

/**
 * RFC 9162 §2.1.4.2, plus its trivial cases: equal sizes need equal roots and an empty proof; from
 * the empty tree (whose root must be EMPTY_ROOT) every tree is consistent with an empty proof.
 */
export const verifyConsistency = (from: number, to: number, fromRoot: Uint8Array, toRoot: Uint8Array, proof: readonly Uint8Array[]): boolean => {
  if (!isSize(from) || !isSize(to) || from > to || !isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (from === to) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (from === 0) return proof.length === 0 && EMPTY_ROOT.equals(fromRoot);
  if (proof.length === 0) return false;
  // When `from` is a power of two its whole tree is a node of the larger one, and the proof omits it.
  const chain = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr: Uint8Array = chain[0] ?? EMPTY_ROOT;
  let sr: Uint8Array = fr;
  for (const c of chain.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      sr = hashChildren(sr, c);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && Buffer.from(fr).equals(fromRoot) && Buffer.from(sr).equals(toRoot);
};
