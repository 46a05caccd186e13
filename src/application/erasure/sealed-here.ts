import type { FieldPlace } from './field-cipher.js';

interface Entry {
  readonly userId: string;
  readonly plaintext: string;
  readonly place: FieldPlace;
}

/** Enough for the values sealed between an append and its event coming back through the live feed. */
const MAX_ENTRIES = 4096;

/**
 * The values this process sealed and has not read back yet, with their plaintext: the live feed
 * decodes every event this node appends a few milliseconds later, and opening a value it sealed
 * itself would only pay a second AES-GCM pass for text it already holds. A value read back at its
 * own place (same event, same field) is taken from here once; any other value, or one moved
 * elsewhere, is opened (and authenticated) by the cipher as usual. Bounded, and emptied of a
 * user's values when the user is forgotten, so no plaintext outlives an erasure here.
 */
export class SealedHere {
  /** By sealed value (unique: each has its own random IV); insertion order is age. */
  private readonly entries = new Map<string, Entry>();

  remember(sealed: string, entry: Entry): void {
    this.entries.set(sealed, entry);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** The plaintext of a value sealed here for exactly this place, once; undefined otherwise. */
  take(sealed: string, place: FieldPlace): string | undefined {
    const entry = this.entries.get(sealed);
    if (entry === undefined || entry.place.eventId !== place.eventId || entry.place.path !== place.path) return undefined;
    this.entries.delete(sealed);
    return entry.plaintext;
  }

  forgetUser(userId: string): void {
    for (const [sealed, entry] of this.entries) if (entry.userId === userId) this.entries.delete(sealed);
  }
}
