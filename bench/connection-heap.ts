/**
 * What an idle connection keeps on the service's JS heap, object by object (not run by the tests):
 *
 *   npm run build && node dist/bench/connection-heap.js [users] [tabs]
 *
 * Starts the service, opens one socket per user (default 200) and waits for `ready`, takes a heap
 * snapshot (SIGUSR2), opens `tabs` (default 10) more sockets per user, takes another, and prints
 * what the second holds more than the first per added socket: bytes and objects by kind and
 * constructor. Per-user state is in both snapshots, so what is left is per socket. Scenario (c)
 * measures the total; this says where it goes (BENCHMARKS.md, "Levers of 2026-12-07").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { signDevToken } from '../src/infrastructure/auth/token-signer.js';
import { cleanUpOnExit, tempDir } from './processes.js';
import { startService } from './servers.js';
import { sleep } from './stats.js';

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Bytes and count of a snapshot's nodes by kind and constructor (strings, code and numbers each as one kind). */
const byConstructor = (file: string): Map<string, { count: number; bytes: number }> => {
  const s = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = s.snapshot.meta.node_fields;
  const kinds = s.snapshot.meta.node_types[0];
  const [kindAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const kind = kinds[s.nodes[i + kindAt] ?? 0] ?? '?';
    const named = !/string|code|number|hidden/.test(kind);
    const key = named ? `${kind} ${s.strings[s.nodes[i + nameAt] ?? 0] ?? ''}`.slice(0, 80) : kind;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += s.nodes[i + sizeAt] ?? 0;
    out.set(key, entry);
  }
  return out;
};

const [users, tabs] = [Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 10)];
cleanUpOnExit();
const snapshots = tempDir('bench-heap-');
const server = await startService('connection-heap', { nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`] });
const target = server.target;
if (target.kind !== 'service') throw new Error('not the service');
const { wsUrl, jwtSecret } = target;
const tokens = Array.from({ length: users }, (_, i) => signDevToken({ secret: jwtSecret, userId: `heap-${i}`, username: `heap_${i}`, expiresInSeconds: 3600 }));
const sockets: WebSocket[] = [];
const open = (token: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/ws/events?token=${token}`);
    ws.on('message', (m: Buffer) => {
      if (m.toString().includes('"ready"')) resolve();
    });
    ws.on('error', reject);
    sockets.push(ws);
  });

/** Signals the service and waits for its snapshot file to be whole (its size stops changing). */
const snapshot = async (): Promise<string> => {
  const before = new Set(readdirSync(snapshots));
  server.proc.kill('SIGUSR2');
  for (;;) {
    await sleep(500);
    const made = readdirSync(snapshots).find((f) => !before.has(f));
    if (made === undefined) continue;
    const path = join(snapshots, made);
    const { size } = statSync(path);
    await sleep(1500);
    if (statSync(path).size === size && size > 0) return path;
  }
};

for (const t of tokens) await open(t);
await sleep(3000);
const first = byConstructor(await snapshot());
for (let k = 0; k < tabs; k++) for (const t of tokens) await open(t);
await sleep(3000);
const second = byConstructor(await snapshot());
const added = users * tabs;
const rows = [...second].map(([key, v]) => {
  const was = first.get(key) ?? { count: 0, bytes: 0 };
  return { key, bytes: (v.bytes - was.bytes) / added, count: (v.count - was.count) / added };
});
rows.sort((a, b) => b.bytes - a.bytes);
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(`${added} sockets added (${tabs} per user, ${users} users): ${Math.round(total)} bytes of JS heap per socket ('code' is compilation, noise)`);
console.log('bytes/socket | objects/socket | kind and constructor');
for (const r of rows.slice(0, 30)) console.log(`${r.bytes.toFixed(0).padStart(12)} | ${r.count.toFixed(2).padStart(14)} | ${r.key}`);
for (const ws of sockets) ws.terminate();
await server.stop();
process.exit(0);
