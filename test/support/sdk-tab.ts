import WebSocket from 'ws';
import { ChatClient, type ChatClientOptions } from '../../sdk/src/client.js';
import { ChatActionError } from '../../sdk/src/errors.js';
import type { ServerFrame } from '../../sdk/src/frames.js';
import type { WebSocketConstructor } from '../../sdk/src/platform.js';
import { checkServerFrame } from './contract.js';
import { waitUntil } from './wait.js';

/** The `ws` package's WebSocket, each instance kept in `sockets` so a test can cut it like a network would. */
export const trackedWebSocket = (sockets: WebSocket[]): WebSocketConstructor =>
  class extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  } as unknown as WebSocketConstructor;

/**
 * A browser tab as a front end would write it: the SDK's `ChatClient` on a real socket, every
 * frame it receives checked against the AsyncAPI document and kept in `frames`.
 */
export interface SdkTab {
  readonly client: ChatClient;
  readonly frames: readonly ServerFrame[];
  /** The first frame not yet taken that matches, waiting for it. */
  next(match: (f: ServerFrame) => boolean, what?: string, ms?: number): Promise<ServerFrame>;
  /** Drops the current socket from the test's side, as a network cut would; the client reconnects and resumes. */
  cut(): void;
  close(): Promise<void>;
}

export const sdkTab = (baseUrl: string, token: () => string, options: Partial<ChatClientOptions> = {}): SdkTab => {
  const sockets: WebSocket[] = [];
  const client = new ChatClient({
    baseUrl,
    getToken: async () => token(),
    WebSocket: trackedWebSocket(sockets),
    backoff: { baseMs: 20, maxMs: 100 },
    framesPerSecond: 1000,
    ...options,
  });
  const frames: ServerFrame[] = [];
  const taken = new Set<number>();
  client.on('frame', (f) => {
    checkServerFrame(f);
    frames.push(f);
  });
  return {
    client,
    frames,
    async next(match, what = 'a frame', ms = 5000) {
      let found = -1;
      await waitUntil(() => (found = frames.findIndex((f, i) => !taken.has(i) && match(f))) >= 0, ms, what);
      taken.add(found);
      return frames[found] as ServerFrame;
    },
    cut: () => sockets[sockets.length - 1]?.terminate(),
    close: async () => {
      client.close();
      const last = sockets[sockets.length - 1];
      if (last !== undefined && last.readyState !== WebSocket.CLOSED) await new Promise((r) => last.once('close', r));
    },
  };
};

/** The refusal a call was answered with; fails when it was taken. */
export const refusalOf = async (call: Promise<unknown>): Promise<ChatActionError> => {
  try {
    await call;
  } catch (err) {
    if (err instanceof ChatActionError) return err;
    throw err;
  }
  throw new Error('the call was taken, a refusal was expected');
};
