import type { ServerFrame } from './frames.js';

/**
 * Who is online, kept from the server's presence frames: `presence_state` then `presence_diff`
 * (batched, the SDK's default), or `user_online` / `user_offline` (live and replayed).
 */
export class Presence {
  private online = new Set<string>();

  /** Applies a frame; true when it changed the set. */
  apply(frame: ServerFrame): boolean {
    switch (frame.action) {
      case 'presence_state': {
        const next = new Set(frame.data.online.filter((u) => u !== ''));
        const changed = next.size !== this.online.size || [...next].some((u) => !this.online.has(u));
        this.online = next;
        return changed;
      }
      case 'presence_diff': {
        let changed = false;
        for (const u of frame.data.offline) changed = this.online.delete(u) || changed;
        for (const u of frame.data.online) {
          if (u === '' || this.online.has(u)) continue;
          this.online.add(u);
          changed = true;
        }
        return changed;
      }
      case 'user_online':
        if (frame.data.username === '' || this.online.has(frame.data.username)) return false;
        this.online.add(frame.data.username);
        return true;
      case 'user_offline':
        return this.online.delete(frame.data.username);
      default:
        return false;
    }
  }

  isOnline(username: string): boolean {
    return this.online.has(username);
  }

  get users(): ReadonlySet<string> {
    return this.online;
  }
}
