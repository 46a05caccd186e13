/** Who is online as far as this page knows: from REST (`is_online`) first, then from live frames. */
export class PresenceBoard {
  private readonly online = new Map<string, boolean>();

  set(username: string, online: boolean): void {
    if (username !== '') this.online.set(username, online);
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
