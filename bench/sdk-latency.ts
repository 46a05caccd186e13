/**
 * The SDK's cost over a raw socket, run as a client process of its own against a running service:
 *
 *   node dist/bench/sdk-latency.js --url http://127.0.0.1:8080 [--secret <JWT_SECRET>] [--n 40] [--m <calls> | --seconds 5]
 *
 * (a) N sequential `sendMessage` calls (each awaited before the next) against the same round trip
 *     on a raw `ws` socket (a `new_message` with a `ref`, until its `ack`), interleaved in one run
 *     (`--n 0` skips it);
 * (b) M `sendMessage` calls fired at once on a fresh connection, timed until all settle: calls per
 *     second overall and steady (the last half of those after the burst), with every `rate_limited`
 *     frame seen on the wire. The default M is the burst and `--seconds` (5) at the rate.
 * Prints one JSON object on stdout. Tokens are signed with `--secret` (default: $JWT_SECRET).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ChatClient } from '../sdk/src/client.js';
import type { SocketLimits } from '../sdk/src/frames.js';
import type { WebSocketConstructor } from '../sdk/src/platform.js';
import { signDevToken } from '../src/infrastructure/auth/token-signer.js';
import { round, summarise, type LatencySummary } from './stats.js';

/** What the script prints (one JSON object). */
export interface SdkLatencyReport {
  readonly url: string;
  readonly limits: SocketLimits;
  /** Null with `--n 0`. */
  readonly sequential: {
    readonly n: number;
    readonly sdk_ms: LatencySummary;
    readonly raw_ms: LatencySummary;
    readonly p50_ratio: number | null;
    readonly raw_rate_limited: number;
    readonly sdk_rate_limited: number;
  } | null;
  readonly concurrent: {
    readonly m: number;
    readonly ms: number;
    readonly calls_per_second: number;
    readonly calls_per_second_steady: number | null;
    readonly rate_limited: number;
    readonly rejected: number;
    readonly sockets: number;
  };
  readonly targets: {
    readonly sequential_p50_within_2x_raw: boolean | null;
    readonly flood_limit_without_refusal: boolean;
    readonly steady_share_of_limit: number | null;
  };
}

interface Wire {
  sockets: number;
  rateLimited: number;
}

/** The `ws` package's WebSocket, counting the sockets it opens and the `rate_limited` errors they receive. */
const countingWebSocket = (wire: Wire): WebSocketConstructor =>
  class extends WebSocket {
    constructor(url: string) {
      super(url);
      wire.sockets++;
      this.on('message', (data) => {
        if (String(data).includes('"rate_limited"')) wire.rateLimited++;
      });
    }
  } as unknown as WebSocketConstructor;

/** A raw socket that sends `new_message` frames with a ref and waits for their answer: the floor the SDK is measured against. */
class RawSocket {
  private readonly waiting = new Map<string, (answer: { action: string; code?: string }) => void>();
  private refs = 0;
  refused = 0;
  limits: SocketLimits | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { action: string; ref?: string; data: { code?: string; limits?: SocketLimits } };
      if (frame.action === 'ready') this.limits = frame.data.limits;
      const done = frame.ref === undefined ? undefined : this.waiting.get(frame.ref);
      if (done === undefined || frame.ref === undefined) return;
      this.waiting.delete(frame.ref);
      done({ action: frame.action, ...(frame.data.code === undefined ? {} : { code: frame.data.code }) });
    });
  }

  static async open(wsUrl: string, token: string): Promise<RawSocket> {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    const raw = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.on('message', function first(data) {
        if (!String(data).includes('"ready"')) return;
        ws.off('message', first);
        resolve();
      });
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`raw socket closed (${code}) before ready`)));
    });
    return raw;
  }

  /** One new_message round trip; a `rate_limited` answer is waited out (1 / rate) and sent again, and counted. */
  async sendMessage(chatId: string, content: string): Promise<void> {
    const clientMsgId = randomUUID();
    for (;;) {
      const ref = `r${this.refs++}`;
      const answer = new Promise<{ action: string; code?: string }>((resolve) => this.waiting.set(ref, resolve));
      this.ws.send(
        JSON.stringify({ action: 'new_message', ref, data: { chat_id: chatId, content, timestamp: new Date().toISOString(), client_msg_id: clientMsgId } }),
      );
      const { action, code } = await answer;
      if (action === 'ack') return;
      if (code !== 'rate_limited') throw new Error(`raw new_message refused: ${code ?? action}`);
      this.refused++;
      await new Promise((r) => setTimeout(r, 1000 / (this.limits?.rate_per_second ?? 20)));
    }
  }

  close(): void {
    this.ws.close(1000);
  }
}

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      secret: { type: 'string' },
      n: { type: 'string', default: '40' },
      m: { type: 'string' },
      seconds: { type: 'string', default: '5' },
    },
  });
  const url = (values.url ?? '').replace(/\/$/, '');
  const secret = values.secret ?? process.env['JWT_SECRET'];
  if (url === '' || secret === undefined) throw new Error('usage: sdk-latency --url http://host:port [--secret S] [--n 40] [--m calls | --seconds 5]');
  const n = Number(values.n);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(n) || n < 0 || !(seconds >= 0)) throw new Error('--n takes a whole number, --seconds a non-negative number');
  const run = randomUUID().slice(0, 8);
  const [me, peer] = [`sdkb-${run}-a`, `sdkb-${run}-b`];
  const token = (username: string) => signDevToken({ secret, userId: `id-${username}`, username, expiresInSeconds: 3600 });
  const rest = async (username: string, method: string, path: string): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token(username)}` } });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
    return res.json();
  };
  await rest(peer, 'GET', '/api/chats/');
  const { chat_id: chatId } = (await rest(me, 'PUT', `/api/chats/${peer}`)) as { chat_id: string };
  const clientOf = (wire: Wire) =>
    new ChatClient({ baseUrl: url, getToken: async () => token(me), WebSocket: countingWebSocket(wire), backoff: { baseMs: 50, maxMs: 1000 } });

  // (a) Sequential round trips, the SDK's and the raw socket's interleaved so both see the same server.
  const seqWire: Wire = { sockets: 0, rateLimited: 0 };
  const sdk = clientOf(seqWire);
  await sdk.connect();
  const raw = n === 0 ? undefined : await RawSocket.open(`${url.replace(/^http/, 'ws')}/ws/events`, token(me));
  const sdkMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; raw !== undefined && i < n; i++) {
    let t = performance.now();
    await sdk.sendMessage(chatId, `seq sdk ${i}`);
    sdkMs.push(performance.now() - t);
    t = performance.now();
    await raw.sendMessage(chatId, `seq raw ${i}`);
    rawMs.push(performance.now() - t);
  }
  const limits = sdk.limits;
  sdk.close();
  raw?.close();
  const sdkSummary = summarise(sdkMs);
  const rawSummary = summarise(rawMs);

  // (b) M calls at once on a fresh connection (a full bucket): by default the burst and `seconds` at the rate.
  const m = values.m === undefined ? limits.burst + Math.round(seconds * limits.rate_per_second) : Number(values.m);
  const wire: Wire = { sockets: 0, rateLimited: 0 };
  const flood = clientOf(wire);
  await flood.connect();
  const settledAt: number[] = [];
  let rejected = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: m }, (_, i) =>
      flood.sendMessage(chatId, `flood ${i}`).then(
        () => settledAt.push(performance.now() - began),
        () => (rejected++, settledAt.push(performance.now() - began)),
      ),
    ),
  );
  const ms = performance.now() - began;
  flood.close();
  settledAt.sort((a, b) => a - b);
  // The steady pace: the last half of the calls after the burst (the burst's own backlog has drained by then).
  const from = limits.burst + Math.floor((m - limits.burst) / 2);
  const fromAt = settledAt[from - 1];
  const steady = m - from >= 2 && fromAt !== undefined && ms > fromAt ? (m - from) / ((ms - fromAt) / 1000) : undefined;

  const report: SdkLatencyReport = {
    url,
    limits,
    sequential:
      raw === undefined
        ? null
        : {
            n,
            sdk_ms: sdkSummary,
            raw_ms: rawSummary,
            p50_ratio: rawSummary.p50 > 0 ? round(sdkSummary.p50 / rawSummary.p50, 2) : null,
            raw_rate_limited: raw.refused,
            sdk_rate_limited: seqWire.rateLimited,
          },
    concurrent: {
      m,
      ms: round(ms, 1),
      calls_per_second: round((m / ms) * 1000, 1),
      calls_per_second_steady: steady === undefined ? null : round(steady, 1),
      rate_limited: wire.rateLimited,
      rejected,
      sockets: wire.sockets,
    },
    targets: {
      sequential_p50_within_2x_raw: raw === undefined ? null : sdkSummary.p50 <= 2 * rawSummary.p50,
      flood_limit_without_refusal: wire.rateLimited === 0 && rejected === 0 && wire.sockets === 1,
      /** The steady pace against the server's rate (1 = the limit exactly). */
      steady_share_of_limit: steady === undefined ? null : round(steady / limits.rate_per_second, 3),
    },
  };
  // One line: the bench reads the last line it prints (processes.ts runJsonScript).
  process.stdout.write(`${JSON.stringify(report)}\n`);
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`sdk-latency: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
