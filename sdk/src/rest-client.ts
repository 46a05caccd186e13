import { sleep, type Clock } from './clock.js';
import { ChatApiError } from './errors.js';
import type { Fetch } from './platform.js';
import type { BlockedUser, Chat, ChatAt, ChatMessage, ChatPreview, HistoryEntry, Notification, Page, PageQuery } from './rest-types.js';
import type { TokenSource } from './tokens.js';

export interface RestOptions {
  readonly baseUrl: string;
  readonly fetch: Fetch;
  readonly tokens: TokenSource;
  readonly clock: Clock;
  /** How many times a 503 is retried (default 3), after its Retry-After (default 1 s, at most 30 s). */
  readonly maxRetries?: number;
}

export type ReadFilter = 'all' | 'unread' | 'read';

const path = (s: string) => encodeURIComponent(s);

/** The REST API, one method per endpoint; errors are `ChatApiError`s with the status and the server's `msg`. */
export class RestClient {
  constructor(private readonly o: RestOptions) {}

  chats(q: PageQuery = {}): Promise<Page<ChatPreview>> {
    return this.request('GET', '/api/chats/', q);
  }

  /** Opens (201 when created, 200 when it existed) my chat with `username`. */
  openChat(username: string): Promise<Chat> {
    return this.request('PUT', `/api/chats/${path(username)}`);
  }

  messages(username: string, q: PageQuery = {}): Promise<Page<ChatMessage>> {
    return this.request('GET', `/api/chats/${path(username)}/messages`, q);
  }

  history(username: string, q: PageQuery = {}): Promise<Page<HistoryEntry>> {
    return this.request('GET', `/api/chats/${path(username)}/history`, q);
  }

  /** The chat as it was at `at` (an ISO time or a position). */
  historyAt(username: string, at: string): Promise<ChatAt> {
    return this.request('GET', `/api/chats/${path(username)}/history`, { at });
  }

  notifications(q: PageQuery & { readonly isRead?: ReadFilter } = {}): Promise<Page<Notification>> {
    const { isRead, ...page } = q;
    return this.request('GET', '/api/notifications/', { ...page, ...(isRead === undefined ? {} : { is_read: isRead }) });
  }

  markAllNotificationsRead(): Promise<{ readonly msg: string }> {
    return this.request('POST', '/api/notifications/mark_all_as_read');
  }

  blocks(q: PageQuery = {}): Promise<Page<BlockedUser>> {
    return this.request('GET', '/api/blocks/', q);
  }

  async block(username: string): Promise<void> {
    await this.request('PUT', `/api/blocks/${path(username)}`);
  }

  async unblock(username: string): Promise<void> {
    await this.request('DELETE', `/api/blocks/${path(username)}`);
  }

  private async request<T>(method: string, route: string, query: Readonly<Record<string, string | number | undefined>> = {}): Promise<T> {
    const params = Object.entries(query)
      .filter((e): e is [string, string | number] => e[1] !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const url = `${this.o.baseUrl.replace(/\/$/, '')}${route}${params === '' ? '' : `?${params}`}`;
    const maxRetries = this.o.maxRetries ?? 3;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.o.tokens.current(refreshed);
      const res = await this.o.fetch(url, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return (text === '' ? undefined : JSON.parse(text)) as T;
      if (res.status === 503 && attempt < maxRetries) {
        await sleep(this.o.clock, retryAfterMs(res.headers.get('retry-after'), this.o.clock.now()));
        continue;
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        continue;
      }
      throw new ChatApiError(res.status, messageOf(text));
    }
  }
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent, at most 30 s. */
export const retryAfterMs = (header: string | null, now: number): number => {
  if (header === null || header.trim() === '') return 1000;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(30_000, Math.max(0, ms)) : 1000;
};

const messageOf = (text: string): string => {
  try {
    const body: unknown = JSON.parse(text);
    const msg = typeof body === 'object' && body !== null ? (body as { msg?: unknown }).msg : undefined;
    if (typeof msg === 'string') return msg;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200);
};
