import type { Position } from './event-store.js';

export const positionOf = (n: bigint | number): Position => {
  const v = BigInt(n);
  return { commit: v, prepare: v };
};

export const comparePositions = (a: Position, b: Position): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;

/** "123" when commit = prepare (the embedded store), "commit-prepare" otherwise. */
export const formatPosition = (p: Position): string => (p.commit === p.prepare ? p.commit.toString() : `${p.commit.toString()}-${p.prepare.toString()}`);

const POSITION_RE = /^(\d{1,20})(?:-(\d{1,20}))?$/;

export const parsePosition = (s: string): Position | undefined => {
  const m = POSITION_RE.exec(s);
  if (m === null || m[1] === undefined) return undefined;
  const commit = BigInt(m[1]);
  return { commit, prepare: m[2] === undefined ? commit : BigInt(m[2]) };
};
