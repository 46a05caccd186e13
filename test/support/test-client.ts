import WebSocket from 'ws';
import { checkServerFrame } from './contract.js';

export interface ReceivedFrame {
  readonly action: string;
  readonly data: Record<string, unknown>;
  readonly position?: string;
  /** On `ack` and on an `error` answering a frame that carried a `ref`. */
  readonly ref?: string;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * A WebSocket client for tests: frames are queued from the first byte (so none is missed
 * between `open` and a handler being attached) and taken with `next`.
 */
export class TestClient {
  private readonly queue: ReceivedFrame[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      checkServerFrame(frame);
      this.queue.push(frame as ReceivedFrame);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
  }

  /** The socket's first frame (`ready`), once set-up is done; undefined when it closed before. */
  readyFrame: ReceivedFrame | undefined;

  /**
   * Opens a socket and, unless `awaitReady` is false, waits for its `ready` frame (taken off the
   * queue into `readyFrame`) or its close, so that the user is known and its groups joined.
   */
  static connect(url: string, options: { headers?: Record<string, string>; awaitReady?: boolean; autoPong?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: options.headers ?? {}, autoPong: options.autoPong ?? true });
      const client = new TestClient(ws);
      ws.once('open', () => {
        if (options.awaitReady === false) return resolve(client);
        client
          .next(() => true, 10_000)
          .then(
            (first) => {
              if (first.action !== 'ready') reject(new Error(`first frame is ${first.action}, not ready`));
              client.readyFrame = first;
              resolve(client);
            },
            () => resolve(client),
          );
      });
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode })));
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(action: string, data: unknown): void {
    this.ws.send(JSON.stringify({ action, data }));
  }

  /** A frame with a top-level `ref` (any JSON value: the tests send invalid ones too). */
  sendWithRef(action: string, data: unknown, ref: unknown): void {
    this.ws.send(JSON.stringify({ action, ref, data }));
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** Bytes sent as a text frame, valid UTF-8 or not. */
  sendTextBytes(bytes: string | Buffer): void {
    this.ws.send(bytes, { binary: false });
  }

  /** The next frame matching `predicate` (earlier non-matching frames are skipped and kept out). */
  async next(predicate: (f: ReceivedFrame) => boolean = () => true, timeoutMs = 3000): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex(predicate);
      if (i >= 0) return this.queue.splice(i, 1)[0] as ReceivedFrame;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching frame within ${timeoutMs} ms; queued: ${JSON.stringify(this.queue).slice(0, 500)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextAction(action: string, timeoutMs?: number): Promise<ReceivedFrame> {
    return this.next((f) => f.action === action, timeoutMs);
  }

  /** Resolves with the frames matching `predicate` that arrived within `ms` (consumed). */
  async collect(ms: number, predicate: (f: ReceivedFrame) => boolean = () => true): Promise<ReceivedFrame[]> {
    await new Promise((r) => setTimeout(r, ms));
    const taken = this.queue.filter(predicate);
    for (const f of taken) this.queue.splice(this.queue.indexOf(f), 1);
    return taken;
  }

  pending(): readonly ReceivedFrame[] {
    return this.queue;
  }

  async close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    return this.closed;
  }
}
