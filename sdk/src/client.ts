import type { BackoffOptions } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { defaultFetch, defaultWebSocket, type Fetch, type WebSocketConstructor } from './platform.js';
import { RestClient } from './rest-client.js';
import { ChatSocket } from './socket-client.js';
import { TokenSource } from './tokens.js';

export interface ChatClientOptions {
  /** The API's origin, e.g. `https://api.example` (the socket is `wss://api.example/ws/events`). */
  readonly baseUrl: string;
  /** A valid JWT; called on connect, before the current one's `exp`, on a 3001 close and on a 401. */
  readonly getToken: () => Promise<string>;
  /** Default `globalThis.WebSocket` (Node 20 has none: pass the `ws` package's). */
  readonly WebSocket?: WebSocketConstructor;
  /** Default `globalThis.fetch`. */
  readonly fetch?: Fetch;
  /** Default: the system's clock and `Math.random`. */
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  /** How long before `exp` a token is replaced (default 60 s). */
  readonly refreshMarginMs?: number;
  /** How many times a 503 is retried (default 3). */
  readonly maxRetries?: number;
  /** Resume from a position kept from an earlier session. */
  readonly since?: string;
  /** A ceiling on the pace below the server's `ready.limits` (default: none, the server's rate exactly). */
  readonly framesPerSecond?: number;
  /** How the server sends presence: `batched` (default: a state, then coalesced diffs) or `frames` (`user_online` / `user_offline`). */
  readonly presence?: 'batched' | 'frames';
}

/** The whole client: the socket's actions and events, and the REST API as `rest`. */
export class ChatClient extends ChatSocket {
  readonly rest: RestClient;

  constructor(o: ChatClientOptions) {
    const clock = o.clock ?? systemClock;
    const tokens = new TokenSource(o.getToken, clock, o.refreshMarginMs ?? 60_000);
    const base = o.baseUrl.replace(/\/$/, '');
    super({
      url: `${base.replace(/^http/, 'ws')}/ws/events`,
      WebSocket: o.WebSocket ?? defaultWebSocket(),
      tokens,
      clock,
      random: o.random ?? Math.random,
      ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
      ...(o.since === undefined ? {} : { since: o.since }),
      ...(o.framesPerSecond === undefined ? {} : { framesPerSecond: o.framesPerSecond }),
      ...(o.presence === undefined ? {} : { presence: o.presence }),
    });
    this.rest = new RestClient({
      baseUrl: base,
      fetch: o.fetch ?? defaultFetch(),
      tokens,
      clock,
      ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }),
    });
  }
}
