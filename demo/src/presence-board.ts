/**
 * Who is online as far as this page knows: REST's `is_online` until the socket's presence
 * arrives, then the socket's set alone. REST's answer may be newer than that set, but nothing
 * would ever correct it: a user who comes and goes within one server window is in no
 * `presence_diff`, so a page that kept REST's "online" for them would show it for good.
 */
export class PresenceBoard {
  private readonly fromRest = new Map<string, boolean>();
  private fromSocket: ReadonlySet<string> | undefined;

  set(username: string, online: boolean): void {
    if (username !== '') this.fromRest.set(username, online);
  }

  /** The SDK's whole set, which from now on answers. */
  replace(users: ReadonlySet<string>): void {
    this.fromSocket = new Set(users);
  }

  isOnline(username: string): boolean {
    return this.fromSocket === undefined ? (this.fromRest.get(username) ?? false) : this.fromSocket.has(username);
  }
}

/** Fills a `.presence` element: its text and an `online` / `offline` class. */
export const showPresence = (node: HTMLElement, online: boolean): void => {
  node.textContent = online ? 'online' : 'offline';
  node.classList.toggle('online', online);
  node.classList.toggle('offline', !online);
};
