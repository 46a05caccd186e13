/** V8's sampling heap profile, summed by allocation site (bench/storm-garbage.ts, bench/message-garbage.ts). */
import type { InspectorSession } from './inspector.js';

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const isNode = (u: unknown): u is ProfileNode => typeof u === 'object' && u !== null && 'callFrame' in u && 'selfSize' in u && 'children' in u;

/** Bytes by allocation site (function and file, and our deepest frame), summed over the tree. */
const bySite = (head: ProfileNode): Map<string, number> => {
  const sizes = new Map<string, number>();
  const walk = (n: ProfileNode, ours: string): void => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '');
    const here = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    const deepest = file.startsWith('src/') ? here : ours;
    if (n.selfSize > 0) {
      const key = `${here}${deepest !== here && deepest !== '' ? `  < ${deepest}` : ''}`;
      sizes.set(key, (sizes.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, deepest);
  };
  walk(head, '');
  return sizes;
};

export interface SamplingOptions {
  readonly samplingInterval: number;
  readonly includeObjectsCollectedByMajorGC: boolean;
  readonly includeObjectsCollectedByMinorGC: boolean;
}

/** Samples allocations while `during` runs, then forces a full GC and returns the sampled bytes by site. */
export const sampleAllocations = async (session: InspectorSession, options: SamplingOptions, during: () => Promise<void>): Promise<Map<string, number>> => {
  await session.call('HeapProfiler.enable');
  await session.call('HeapProfiler.startSampling', { ...options });
  await during();
  await session.call('HeapProfiler.collectGarbage');
  const { profile } = await session.call('HeapProfiler.stopSampling');
  const head: unknown = typeof profile === 'object' && profile !== null && 'head' in profile ? profile.head : undefined;
  if (!isNode(head)) throw new Error('no sampling profile');
  return bySite(head);
};

export const totalBytes = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

export const mb = (n: number): string => (n / 1e6).toFixed(1);

/** A markdown table of the largest sites. */
export const siteTable = (sites: readonly (readonly [string, number])[], n: number, unit: (bytes: number) => string = mb, head = 'MB'): string => {
  const rows = sites.slice(0, n).map(([site, bytes]) => `| ${unit(bytes)} | \`${site}\` |`);
  return [`| ${head} | allocation site  < our deepest frame |`, '|---:|---|', ...rows, ''].join('\n');
};
