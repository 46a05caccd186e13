/**
 * Summarises a V8 `.cpuprofile` (`node --cpu-prof`, or the inspector's): self time by function and by area
 * (our layers, each dependency, node internals, GC), and inclusive time of our functions.
 * `node dist/bench/cpu-profile.js <file.cpuprofile>` prints the summary as JSON.
 */
import { readFileSync } from 'node:fs';
import { round } from './stats.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface Entry {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Share of samples where the process was busy (not idle). */
  readonly busyPercent: number;
  readonly byArea: readonly Entry[];
  readonly topSelf: readonly Entry[];
  /** Inclusive time of functions under dist/src (ours), busy samples only. */
  readonly topInclusiveOurs: readonly Entry[];
  /** Inclusive time of selected dependency entry points. */
  readonly topInclusiveAll: readonly Entry[];
}

const isProfile = (u: unknown): u is CpuProfile =>
  typeof u === 'object' && u !== null && 'nodes' in u && Array.isArray(u.nodes) && 'samples' in u && Array.isArray(u.samples) && 'timeDeltas' in u;

/** Where a frame's code lives: our layer, a package, node itself, or a V8 pseudo-frame. */
export const areaOf = (f: CallFrame): string => {
  const url = f.url;
  if (url === '') {
    if (f.functionName === '(garbage collector)') return 'GC';
    if (f.functionName === '(idle)') return 'idle';
    if (f.functionName === '(program)') return 'V8/native (program)';
    return `native ${f.functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`.replace('node:undefined', url);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
    return `pkg ${pkg}`;
  }
  const src = /\/dist\/src\/([^/]+)\/([^/]+)/.exec(url);
  if (src !== null) return `ours ${src[1]}/${src[2]}`;
  return url.replace(/^file:\/\//, '');
};

const short = (f: CallFrame): string => {
  const file = f.url.replace(/^file:\/\/.*\/(node_modules|dist)\//, '$1/').replace(/^node:/, 'node:');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
};

const top = (m: Map<string, number>, totalMs: number, n: number): Entry[] =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms: round(ms, 1), percent: round((ms / totalMs) * 100, 1) }));

export const summariseProfile = (path: string, n = 25): ProfileSummary => {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path} is not a .cpuprofile`);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of parsed.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  parsed.samples.forEach((id, i) => {
    const ms = (parsed.timeDeltas[i + 1] ?? parsed.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    totalMs += ms;
    const a = areaOf(node.callFrame);
    area.set(a, (area.get(a) ?? 0) + ms);
    if (a === 'idle') {
      idleMs += ms;
      return;
    }
    const key = short(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    // Inclusive: each function once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (f === undefined || f.url === '') continue;
      const k = short(f);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  });
  const busyMs = totalMs - idleMs;
  const ours = new Map([...inclusive].filter(([k]) => k.includes(' dist/src/')));
  return {
    totalMs: round(totalMs, 0),
    busyPercent: round((busyMs / Math.max(1, totalMs)) * 100, 1),
    byArea: top(new Map([...area].filter(([k]) => k !== 'idle')), busyMs, n),
    topSelf: top(self, busyMs, n),
    topInclusiveOurs: top(ours, busyMs, n),
    topInclusiveAll: top(inclusive, busyMs, n),
  };
};

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly && process.argv[2] !== undefined) {
  process.stdout.write(`${JSON.stringify(summariseProfile(process.argv[2], Number(process.argv[3] ?? 25)), null, 2)}\n`);
}
