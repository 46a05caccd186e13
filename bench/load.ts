/**
 * The load generator: a separate process (forked by run.ts, driven over IPC) holding N users'
 * real WebSockets. It sends `new_message` open loop at a target rate and measures, per message,
 * send → frame received by the OTHER member of the chat (and → echo to the sender), using one
 * clock (performance.now) since both members live in this process. The message's sequence
 * number travels in its content: `bm<seq>|...`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { WebSocket } from 'ws';
import { signDevToken } from '../src/infrastructure/auth/token-signer.js';
import type { ConnectResult, FromLoad, PhaseResult, PhaseSpec, SetupResult, Target, ToLoad } from './load-protocol.js';
import { RestLoad } from './rest-load.js';
import { SeqLog } from './seq-log.js';
import { round, sleep, summarise } from './stats.js';

const MARK = '"content":"bm';
const FILLER = 'Hey, are you up for a game of pong later tonight?';
const TOKEN_TTL_SECONDS = 6 * 3600;

const send = (msg: FromLoad): void => {
  process.send?.(msg);
};

interface Sock {
  readonly user: number;
  readonly connection: number;
  readonly ws: WebSocket;
  ready: boolean;
  onReady: (() => void) | undefined;
}

interface Chat {
  readonly id: string;
  readonly a: number;
  readonly b: number;
  turn: 0 | 1;
}

const userId = (i: number): string => `bench-${i}`;

class LoadGenerator {
  private target: Target | undefined;
  /** By connection index; `byUser` holds each user's first socket (the one the chats use). */
  private readonly sockets = new Map<number, Sock>();
  private readonly byUser = new Map<number, Sock>();
  private chats: Chat[] = [];
  private readonly log = new SeqLog();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private closingAll = false;
  /** Frames other than messages, by action, while connecting. */
  private countActions = false;
  private readonly actions = new Map<string, number>();
  private frames = 0;
  private errorFrames = 0;
  private closes = 0;
  private firstError: string | undefined;
  /** Receive-time window for the delivered-frames rate. */
  private windowStart = Infinity;
  private windowEnd = Infinity;
  private deliveredInWindowByTime = 0;

  init(target: Target): void {
    this.target = target;
  }

  private get t(): Target {
    if (this.target === undefined) throw new Error('load generator not initialised');
    return this.target;
  }

  private token(i: number): string {
    const t = this.t;
    if (t.kind !== 'service') return '';
    return signDevToken({ secret: t.jwtSecret, userId: userId(i), username: userId(i), nickname: `Bench ${i}`, expiresInSeconds: TOKEN_TTL_SECONDS });
  }

  private tokens = new Map<number, string>();
  private tokenOf(i: number): string {
    let tok = this.tokens.get(i);
    if (tok === undefined) {
      tok = this.token(i);
      this.tokens.set(i, tok);
    }
    return tok;
  }

  private request(method: 'GET' | 'PUT', path: string, user: number): Promise<{ status: number; body: string }> {
    const t = this.t;
    if (t.kind !== 'service') return Promise.reject(new Error('REST needs the service target'));
    const url = new URL(path, t.httpUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent: this.agent, headers: { authorization: `Bearer ${this.tokenOf(user)}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      req.end();
    });
  }

  async setup(users: number, concurrency: number): Promise<SetupResult> {
    const started = performance.now();
    const pairs = Math.floor(users / 2);
    const t = this.t;
    if (t.kind === 'relay') {
      this.chats = Array.from({ length: pairs }, (_, k) => ({ id: randomUUID(), a: 2 * k, b: 2 * k + 1, turn: 0 as const }));
      return { users, chats: pairs, ms: Math.round(performance.now() - started) };
    }
    // A user becomes known when it first presents a token: a GET each, then the chats.
    await pool(users, concurrency, async (i) => {
      const r = await this.request('GET', '/api/chats/?limit=1', i);
      if (r.status !== 200) throw new Error(`register ${userId(i)}: ${r.status} ${r.body.slice(0, 200)}`);
    });
    const chats: Chat[] = new Array<Chat>(pairs);
    await pool(pairs, concurrency, async (k) => {
      const r = await this.request('PUT', `/api/chats/${userId(2 * k + 1)}`, 2 * k);
      if (r.status !== 200 && r.status !== 201) throw new Error(`create chat ${k}: ${r.status} ${r.body.slice(0, 200)}`);
      const body: unknown = JSON.parse(r.body);
      const id = typeof body === 'object' && body !== null && 'chat_id' in body && typeof body.chat_id === 'string' ? body.chat_id : undefined;
      if (id === undefined) throw new Error(`create chat ${k}: no chat_id in ${r.body.slice(0, 200)}`);
      chats[k] = { id, a: 2 * k, b: 2 * k + 1, turn: 0 };
    });
    this.chats = chats;
    return { users, chats: pairs, ms: Math.round(performance.now() - started) };
  }

  private url(i: number): string {
    const t = this.t;
    if (t.kind === 'service') return `${t.wsUrl}/ws/events?token=${this.tokenOf(i)}`;
    const chat = this.chats[i >> 1];
    return chat === undefined ? `${t.wsUrl}/` : `${t.wsUrl}/?chats=${chat.id}`;
  }

  /** Opens connection `c` as user `i`; a user's first socket waits for its own user_online, later tabs for the upgrade. */
  private open(c: number, i: number): Promise<boolean> {
    const service = this.t.kind === 'service';
    const ws = new WebSocket(this.url(i), { perMessageDeflate: false });
    const sock: Sock = { user: i, connection: c, ws, ready: false, onReady: undefined };
    this.sockets.set(c, sock);
    const firstTab = !this.byUser.has(i);
    if (firstTab) this.byUser.set(i, sock);
    const awaitPresence = service && firstTab;
    const selfOnline = `"username":"${userId(i)}"`;
    ws.on('message', (data: Buffer) => {
      this.frames++;
      const s = data.toString('utf8');
      const at = s.indexOf(MARK);
      if (at >= 0) return this.onMessageFrame(i, s, at + MARK.length);
      if (!sock.ready && awaitPresence && s.includes('"action":"user_online"') && s.includes(selfOnline)) return this.markReady(sock);
      if (this.countActions) {
        const a0 = s.indexOf('"action":"');
        const action = a0 < 0 ? '?' : s.slice(a0 + 10, s.indexOf('"', a0 + 10));
        this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
      }
      if (s.includes('"action":"error"')) {
        this.errorFrames++;
        this.firstError ??= s.slice(0, 300);
      }
    });
    return new Promise((resolve) => {
      ws.once('open', () => {
        // The service joins the socket to its groups asynchronously: its own user_online frame
        // (sent after the chat groups are joined) says it is fully set up. The relay is ready at once.
        if (!awaitPresence) this.markReady(sock);
      });
      sock.onReady = () => resolve(true);
      ws.once('error', (err) => {
        this.firstError ??= `socket ${i}: ${err.message}`;
        resolve(false);
      });
      ws.on('close', (code, reason) => {
        if (this.closingAll) return;
        this.closes++;
        this.firstError ??= `socket ${i} closed ${code} ${reason.toString()}`;
        resolve(false);
      });
    });
  }

  private markReady(sock: Sock): void {
    sock.ready = true;
    sock.onReady?.();
    sock.onReady = undefined;
  }

  /** Connections [from, to); connection c is user c % users (tabs), or user c. */
  async connect(from: number, to: number, batch: number, timeoutMs: number, users?: number): Promise<ConnectResult> {
    const started = performance.now();
    const framesBefore = this.frames;
    this.countActions = true;
    this.actions.clear();
    let opened = 0;
    let failed = 0;
    const deadline = started + timeoutMs;
    for (let i = from; i < to; i += batch) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        failed += to - i;
        this.firstError ??= `connect timed out after ${timeoutMs} ms`;
        break;
      }
      const end = Math.min(to, i + batch);
      const results = await Promise.race([
        Promise.all(Array.from({ length: end - i }, (_, k) => this.open(i + k, users === undefined ? i + k : (i + k) % users))),
        sleep(remaining).then(() => undefined),
      ]);
      if (results === undefined) {
        failed += to - i;
        this.firstError ??= `connect timed out after ${timeoutMs} ms`;
        break;
      }
      for (const ok of results)
        if (ok) opened++;
        else failed++;
    }
    this.countActions = false;
    return {
      opened,
      failed,
      ms: Math.round(performance.now() - started),
      framesDuringConnect: this.frames - framesBefore,
      framesByAction: Object.fromEntries(this.actions),
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
    };
  }

  private onMessageFrame(receiver: number, s: string, from: number): void {
    const bar = s.indexOf('|', from);
    const seq = Number(s.slice(from, bar));
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.log.size) return;
    const now = performance.now();
    if (this.log.sender[seq] === receiver) {
      if (this.log.ackedAt[seq] === 0) this.log.ackedAt[seq] = now;
      return;
    }
    if (this.log.deliveredAt[seq] !== 0) return; // a duplicate
    this.log.deliveredAt[seq] = now;
    if (now >= this.windowStart && now < this.windowEnd) this.deliveredInWindowByTime++;
  }

  private sendOne(now: number): boolean {
    const chat = this.chats[this.nextChat++ % this.chats.length];
    if (chat === undefined) return false;
    const sender = chat.turn === 0 ? chat.a : chat.b;
    chat.turn = chat.turn === 0 ? 1 : 0;
    const sock = this.byUser.get(sender);
    if (sock === undefined || sock.ws.readyState !== WebSocket.OPEN) return false;
    const seq = this.log.next(sender, now);
    sock.ws.send(`{"action":"new_message","data":{"content":"bm${seq}|${FILLER}","chat_id":"${chat.id}","timestamp":"${new Date().toISOString()}"}}`);
    return true;
  }
  private nextChat = 0;

  async phase(spec: PhaseSpec): Promise<PhaseResult> {
    if (this.chats.length === 0) throw new Error('no chats: run setup first');
    const errorFrames0 = this.errorFrames;
    const closes0 = this.closes;
    this.firstError = undefined;
    let sendFailures = 0;
    let scheduled = 0;
    let maxLag = 0;
    const total = spec.warmupMs + spec.durationMs;
    const rest = spec.restRate !== undefined && spec.restRate > 0 ? new RestLoad(this, spec.restRate) : undefined;
    let seqA = -1;
    let seqB = -1;
    const started = performance.now();
    this.windowStart = started + spec.warmupMs;
    this.windowEnd = started + total;
    this.deliveredInWindowByTime = 0;
    let framesAtStart = this.frames;
    let framesInWindow = 0;
    await new Promise<void>((resolve) => {
      let last = started;
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last);
        last = now;
        const elapsed = now - started;
        if (elapsed >= spec.warmupMs && seqA < 0) {
          seqA = this.log.size;
          framesAtStart = this.frames;
          send({ type: 'mark', what: 'measureStart' });
          rest?.start();
        }
        if (elapsed >= total) {
          seqB = this.log.size;
          framesInWindow = this.frames - framesAtStart;
          clearInterval(timer);
          rest?.stop();
          send({ type: 'mark', what: 'measureEnd' });
          resolve();
          return;
        }
        const due = Math.floor((elapsed * spec.rate) / 1000) - scheduled;
        for (let k = 0; k < due; k++) {
          scheduled++;
          if (!this.sendOne(now)) sendFailures++;
        }
        rest?.tick(now);
      }, 1);
    });
    if (seqA < 0) seqA = seqB;
    // Wait (bounded) for what is still on its way.
    const graceEnd = performance.now() + spec.graceMs;
    let cursor = seqA;
    const outstanding = (): boolean => {
      while (cursor < seqB && this.log.deliveredAt[cursor] !== 0 && this.log.ackedAt[cursor] !== 0) cursor++;
      return cursor < seqB;
    };
    while (performance.now() < graceEnd && (outstanding() || (rest?.outstanding ?? 0) > 0)) await sleep(20);
    const latencies: number[] = [];
    const acks: number[] = [];
    let lost = 0;
    let acked = 0;
    for (let s = seqA; s < seqB; s++) {
      const sentAt = this.log.sendAt[s] ?? 0;
      const d = this.log.deliveredAt[s] ?? 0;
      const a = this.log.ackedAt[s] ?? 0;
      if (d === 0) lost++;
      else latencies.push(d - sentAt);
      if (a !== 0) {
        acked++;
        acks.push(a - sentAt);
      }
    }
    const seconds = spec.durationMs / 1000;
    const sent = seqB - seqA;
    const errorFrames = this.errorFrames - errorFrames0;
    const closes = this.closes - closes0;
    const restResult = rest?.result(seconds);
    return {
      targetRate: spec.rate,
      measuredSeconds: seconds,
      sent,
      sentPerSecond: round(sent / seconds, 1),
      deliveredPerSecond: round(this.deliveredInWindowByTime / seconds, 1),
      framesReceivedPerSecond: round(framesInWindow / seconds, 1),
      delivered: latencies.length,
      acked,
      lost,
      errorFrames,
      closes,
      sendFailures,
      errors: errorFrames + closes + sendFailures + lost,
      latencyMs: summarise(latencies),
      ackLatencyMs: summarise(acks),
      generatorMaxLagMs: round(maxLag, 1),
      ...(restResult === undefined ? {} : { rest: restResult }),
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
      ...(spec.keepSamples === true ? { samples: { latencyMs: latencies, ackMs: acks, ...(rest === undefined ? {} : { restMs: rest.samples }) } } : {}),
    };
  }

  /** GET /api/chats/{peer}/messages as user `i` (the peer is the other member of its chat). */
  restGet(i: number): Promise<{ status: number; body: string }> {
    return this.request('GET', `/api/chats/${userId(i ^ 1)}/messages?limit=20`, i);
  }

  get userCount(): number {
    return this.chats.length * 2;
  }

  close(): void {
    this.closingAll = true;
    for (const s of this.sockets.values()) s.ws.terminate();
    this.sockets.clear();
    this.byUser.clear();
    this.agent.destroy();
  }
}

/** Runs fn(0..n-1) with at most `concurrency` in flight; the first failure rejects. */
const pool = async (n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
};

const gen = new LoadGenerator();

const handle = async (msg: ToLoad): Promise<void> => {
  switch (msg.type) {
    case 'init':
      gen.init(msg.target);
      return;
    case 'setup':
      return send({ type: 'setupDone', result: await gen.setup(msg.users, msg.concurrency) });
    case 'connect':
      return send({ type: 'connected', result: await gen.connect(msg.from, msg.to, msg.batch, msg.timeoutMs, msg.users) });
    case 'phase':
      return send({ type: 'phaseDone', result: await gen.phase(msg.spec) });
    case 'close':
      gen.close();
      return send({ type: 'closed' });
  }
};

process.on('message', (msg: ToLoad) => {
  handle(msg).catch((err: unknown) => send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
