/**
 * The parts of the platform's WebSocket and fetch the SDK uses: satisfied by the browsers' and
 * Node's globals and by the `ws` package, so the SDK needs no DOM or Node typings.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type Fetch = (
  url: string,
  init: {
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
    readonly credentials?: 'include' | 'same-origin' | 'omit';
  },
) => Promise<FetchResponse>;

const platform = globalThis as unknown as { WebSocket?: WebSocketConstructor; fetch?: Fetch; crypto?: { randomUUID?: () => string } };

export const defaultWebSocket = (): WebSocketConstructor => {
  if (platform.WebSocket === undefined) throw new Error('no global WebSocket: pass the `WebSocket` option (e.g. the `ws` package on Node 20)');
  return platform.WebSocket;
};

export const defaultFetch = (): Fetch => {
  if (platform.fetch === undefined) throw new Error('no global fetch: pass the `fetch` option');
  return platform.fetch.bind(globalThis);
};

/** A uuid v4 from the platform's crypto. */
export const randomUuid = (): string => {
  const uuid = platform.crypto?.randomUUID?.();
  if (uuid === undefined) throw new Error('crypto.randomUUID is not available (it needs a secure context in browsers)');
  return uuid;
};

export const OPEN = 1;
