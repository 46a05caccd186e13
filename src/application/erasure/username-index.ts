import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * The keyed hash that stands for a username where it cannot be encrypted (stream ids such as
 * `username-<hash>` are in every ledger leaf for ever). Keyed, because usernames are short and
 * guessable: a plain hash would be confirmed by trying names. Case is significant, as in usernames.
 */
export class UsernameIndex {
  /** Frames look a profile's username up for every event that names a user: one HMAC per name, not per frame. */
  private readonly hashes = new LRUCache<string, string>({ max: 10_000 });

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError(`the username-index key must be 32 bytes, not ${key.length}`);
  }

  /** Lowercase hex HMAC-SHA-256 of the NFC form of the username: 64 characters. */
  hash(username: string): string {
    const known = this.hashes.get(username);
    if (known !== undefined) return known;
    const hashed = createHmac('sha256', this.key).update(username.normalize('NFC'), 'utf8').digest('hex');
    this.hashes.set(username, hashed);
    return hashed;
  }

  /** Drops every remembered hash (with its username in clear): a user was erased. */
  forgetAll(): void {
    this.hashes.clear();
  }

  /**
   * The username an erased user is shown with: `erased-` and 24 hex digits of the same keyed hash
   * over the user id (a prefix no username has, with a space and a NUL, keeps the two apart). A
   * valid username, the same on every node and in every replay, and neither the old name nor the
   * id: the other member of a chat opens it by this name.
   */
  aliasOf(userId: string): string {
    return `erased-${createHmac('sha256', this.key).update('erased user\u0000', 'utf8').update(userId, 'utf8').digest('hex').slice(0, 24)}`;
  }
}
