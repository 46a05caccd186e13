import type { ServerFrame } from './frames.js';

/** Who is online, kept from `user_online` / `user_offline` frames (live and replayed). */
export class Presence {
  private readonly online = new Set<string>();

  /** Applies a frame; true when it changed the set. */
  apply(frame: ServerFrame): boolean {
    if (frame.action === 'user_online' && frame.data.username !== '' && !this.online.has(frame.data.username)) {
      this.online.add(frame.data.username);
      return true;
    }
    if (frame.action === 'user_offline' && this.online.delete(frame.data.username)) return true;
    return false;
  }

  isOnline(username: string): boolean {
    return this.online.has(username);
  }

  get users(): ReadonlySet<string> {
    return this.online;
  }
}
