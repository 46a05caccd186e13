import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ErrorCode, SocketLimits } from '../../sdk/src/frames.js';
import { TokenBucket } from '../../src/interfaces/ws/rate-limiter.js';

/** A frame as the fake received it. */
export interface Received {
  /** Arrival (ms), the moment the server's flood control takes it. */
  readonly at: number;
  /** Which connection, from 0. */
  readonly socket: number;
  readonly action: string;
  readonly ref: unknown;
  readonly data: Record<string, unknown>;
}

export interface AckServerOptions {
  /** Sent in `ready` (default: the server's 20/s, bursts of 40, 64 KiB). */
  readonly limits?: SocketLimits;
  /** The bucket it really enforces on arrival (default: the advertised limits, as the server does). */
  readonly enforced?: { readonly rate: number; readonly burst: number };
  /** `rate_limited` errors a socket gets before it is closed with 1008 (the server's WS_RATE_WARNINGS, default 3). */
  readonly warnings?: number;
  /** Answers held until the end of each I/O turn and sent in random order (frames of stored events still precede their ack). */
  readonly shuffle?: boolean;
  /** A business-rule refusal for this frame, if any. */
  readonly refuse?: (frame: Received) => ErrorCode | undefined;
  /** Cuts the socket (no ack, no frame) right after storing the n-th new message (1-based), for each n listed. */
  readonly cutAfterStoring?: readonly number[];
}

interface StoredMessage {
  readonly position: number;
  readonly frame: { action: 'new_message'; position: string; data: Record<string, unknown> };
  readonly sender: string;
}

const usernameOf = (token: string | null): string => {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const username = typeof claims === 'object' && claims !== null && 'username' in claims ? claims.username : undefined;
    return typeof username === 'string' ? username : 'anonymous';
  } catch {
    return 'anonymous';
  }
};

const shuffled = <T>(xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
};

export const CHAT_ID = '44444444-4444-4444-8444-444444444444';

/**
 * A small server that keeps the WebSocket ack contract exactly (one chat, every user in it):
 * `ready` with `limits`, a token bucket on arrival as the server's (`rate_limited` with the
 * frame's `ref`, 1008 after the warnings), frames handled in order, every frame with a `ref`
 * answered once by `ack` or `error`, `new_message` stored once per sender and `client_msg_id`
 * (a repeat gets the original's frame again and an ack with the original message), resume from
 * `?since=`. Also the two REST calls a client makes to open the chat. It records what it receives.
 */
export class AckServer {
  readonly received: Received[] = [];
  readonly rateRefusals: Received[] = [];
  /** Connections opened, in order: the username of each. */
  readonly connections: string[] = [];
  readonly stored: StoredMessage[] = [];
  private readonly byClientMsgId = new Map<string, StoredMessage>();
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly o: AckServerOptions,
  ) {}

  static async start(o: AckServerOptions = {}): Promise<AckServer> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/ws/events', maxPayload: o.limits?.max_frame_bytes ?? 65_536 });
    const server = new AckServer(http, wss, o);
    http.on('request', (req, res) => server.rest(req, res));
    wss.on('connection', (ws, req) => server.connected(ws, req));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get limits(): SocketLimits {
    return this.o.limits ?? { rate_per_second: 20, burst: 40, max_frame_bytes: 65_536 };
  }

  /** Cuts every open socket, as a network would. */
  cutAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private rest(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && /^\/api\/chats\/?$/.test(path)) return void res.end(JSON.stringify({ items: [], count: 0 }));
    const open = /^\/api\/chats\/([^/]+)\/?$/.exec(path);
    if (req.method === 'PUT' && open !== null) {
      res.statusCode = 201;
      const chat = {
        chat_id: CHAT_ID,
        username: open[1],
        nickname: '',
        avatar: '',
        is_online: false,
        is_blocked_user: false,
        is_blocked_by_user: false,
        messages: [],
      };
      return void res.end(JSON.stringify(chat));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ msg: 'not in the fake' }));
  }

  private connected(ws: WebSocket, req: IncomingMessage): void {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const username = usernameOf(params.get('token'));
    const index = this.connections.push(username) - 1;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    const enforced = this.o.enforced ?? { rate: this.limits.rate_per_second, burst: this.limits.burst };
    const bucket = new TokenBucket(enforced.rate, enforced.burst, Date.now());
    let warnings = 0;
    const answers: string[] = [];
    let flushing = false;
    const answer = (frame: unknown) => {
      const text = JSON.stringify(frame);
      if (this.o.shuffle !== true) return ws.send(text);
      answers.push(text);
      if (flushing) return;
      flushing = true;
      setImmediate(() => {
        flushing = false;
        for (const a of shuffled(answers.splice(0))) if (ws.readyState === ws.OPEN) ws.send(a);
      });
    };

    const since = params.get('since');
    ws.send(JSON.stringify({ action: 'ready', data: { position: String(this.stored.length), username, limits: this.limits } }));
    if (since !== null) for (const m of this.stored.slice(Number(since))) ws.send(JSON.stringify(m.frame));

    ws.on('message', (raw) => {
      const at = Date.now();
      const parsed = JSON.parse(String(raw)) as { action: string; ref?: unknown; data: Record<string, unknown> };
      const frame: Received = { at, socket: index, action: parsed.action, ref: parsed.ref, data: parsed.data };
      this.received.push(frame);
      if (parsed.ref !== undefined && (typeof parsed.ref !== 'string' || parsed.ref.length < 1 || parsed.ref.length > 64)) return ws.close(3100, 'bad ref');
      const withRef = parsed.ref === undefined ? {} : { ref: parsed.ref };
      if (!bucket.take(at)) {
        this.rateRefusals.push(frame);
        if (++warnings > (this.o.warnings ?? 3)) return ws.close(1008, 'rate limit exceeded');
        return answer({ action: 'error', ...withRef, data: { for: frame.action, code: 'rate_limited', msg: 'Too many messages: slow down' } });
      }
      const refusal = this.o.refuse?.(frame);
      if (refusal !== undefined) return answer({ action: 'error', ...withRef, data: { for: frame.action, code: refusal, msg: 'refused by the fake' } });
      if (frame.action !== 'new_message') return answer({ action: 'ack', ...withRef, data: { for: frame.action } });

      const key = `${username}/${String(frame.data['client_msg_id'])}`;
      const before = this.byClientMsgId.get(key);
      if (before !== undefined) {
        // A repeat stores nothing: the original's frame again, then its ack (no position: nothing was stored).
        ws.send(JSON.stringify(before.frame));
        const { id, chat_id, date } = before.frame.data;
        return answer({ action: 'ack', ...withRef, data: { for: 'new_message', id, chat_id, date } });
      }
      const position = this.stored.length + 1;
      const data = {
        chat_id: frame.data['chat_id'],
        id: randomUUID(),
        content: String(frame.data['content']).trim(),
        date: new Date(at).toISOString(),
        sender: username,
        is_read: false,
        is_liked: false,
        timestamp: frame.data['timestamp'],
        client_msg_id: frame.data['client_msg_id'],
      };
      const stored: StoredMessage = { position, frame: { action: 'new_message', position: String(position), data }, sender: username };
      this.stored.push(stored);
      this.byClientMsgId.set(key, stored);
      if (this.o.cutAfterStoring?.includes(position) === true) return ws.terminate();
      ws.send(JSON.stringify(stored.frame));
      answer({ action: 'ack', ...withRef, data: { for: 'new_message', position: String(position), id: data.id, chat_id: data.chat_id, date: data.date } });
    });
  }
}
