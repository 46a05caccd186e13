import type { Position } from './event-store.js';

export type Claim = { readonly owned: true; readonly checkpoint: Position | undefined } | { readonly owned: false; readonly owner: string };

/**
 * Where each reactor stands in the log, and which node runs it: one owner at a time, holding a
 * lease it renews. A node that dies stops renewing; once its lease lapsed another node claims the
 * reactor and goes on from the saved checkpoint, so every event is reacted to by one node.
 */
export interface ReactorCheckpoints {
  /** Takes the reactor for `owner` until `until`, or extends its own lease; refused while another owner's lease runs past `now`. */
  claim(name: string, owner: string, until: Date, now: Date): Promise<Claim>;
  /** Records `position` while `owner` holds the reactor; false when it no longer does. */
  save(name: string, owner: string, position: Position): Promise<boolean>;
  /** Gives the reactor up (a clean stop), keeping its checkpoint for the next owner. */
  release(name: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
