/** Who is online as far as this page knows: from REST (`is_online`) first, then from the SDK's presence map. */
export class PresenceBoard {
  private readonly online = new Map<string, boolean>();

  set(username: string, online: boolean): void {
    if (username !== '') this.online.set(username, online);
  }

  /** The SDK's whole set: everyone it names is online, everyone else this page knows is not. */
  replace(users: ReadonlySet<string>): void {
    for (const name of this.online.keys()) this.online.set(name, users.has(name));
    for (const name of users) this.set(name, true);
  }

  isOnline(username: string): boolean {
    return this.online.get(username) ?? false;
  }
}

/** Fills a `.presence` element: its text and an `online` / `offline` class. */
export const showPresence = (node: HTMLElement, online: boolean): void => {
  node.textContent = online ? 'online' : 'offline';
  node.classList.toggle('online', online);
  node.classList.toggle('offline', !online);
};
