import type { AnyDomainEvent, EventType } from '../../domain/events.js';
import { ONLINE_USERS, userGroup, type Group, type PresenceAudience, type ProfileView } from '../broadcast/delivery.js';
import type { Stored } from '../log/stored.js';
import type { Position } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';

export type PresenceScopeName = 'all' | 'contacts';

/** One group's view of one user's presence changed (a batched socket's `presence_diff` is made of these). */
export interface PresenceChange {
  readonly group: Group;
  readonly userId: string;
  readonly username: string;
  readonly before: boolean;
  readonly after: boolean;
}

const ONLINE_TYPES: readonly EventType[] = ['UserWentOnline', 'UserWentOffline'];
const RELATION_TYPES: readonly EventType[] = ['ChatCreated', 'FriendAdded', 'UserBlocked', 'UserUnblocked'];

const link = (m: Map<string, Set<string>>, a: string, b: string): void => {
  const set = m.get(a) ?? new Set<string>();
  set.add(b);
  m.set(a, set);
};

/**
 * Who is online and who sees whose presence, derived from stored events in log order: loaded
 * from the log up to where this node's broadcaster starts, then kept by the broadcaster as it
 * follows the log. Every node derives the same answer from the same events, and the live frames
 * and a resume's replay are routed by the same `audienceOf`.
 *
 * Scope `contacts`: a user's presence reaches the users who share a chat or a friendship with
 * them, unless either blocked the other (a block hides presence both ways, as it hides
 * everything else between the two). Scope `all`: every online socket, as the contract has it.
 */
export class PresenceGraph {
  private readonly contacts = new Map<string, Set<string>>();
  /** blocker → blocked. */
  private readonly blocks = new Map<string, Set<string>>();
  private readonly online = new Set<string>();
  private readonly names = new Map<string, string>();
  /** Events at or before this were applied by the load: the broadcaster's copy is skipped. */
  private loadedThrough: Position | undefined;

  constructor(readonly scope: PresenceScopeName) {}

  /** The events that shape it: whom it reads from the log's start when it loads. */
  get eventTypes(): readonly EventType[] {
    return this.scope === 'all' ? ONLINE_TYPES : [...ONLINE_TYPES, ...RELATION_TYPES];
  }

  /** The groups that get `userId`'s presence frames: the one routing rule, live and on resume. */
  readonly audienceOf: PresenceAudience = (userId) => (this.scope === 'all' ? [ONLINE_USERS] : this.visibleContactsOf(userId).map(userGroup));

  /** The group whose presence view a batched socket of `userId` shares (one diff serialised per group). */
  scopeGroupOf(userId: string): Group {
    return this.scope === 'all' ? ONLINE_USERS : userGroup(userId);
  }

  /** The users online as `userId` sees them now, id → username. */
  onlineSeenBy(userId: string): ReadonlyMap<string, string> {
    const ids = this.scope === 'all' ? this.online : this.visibleContactsOf(userId).filter((c) => this.online.has(c));
    const seen = new Map<string, string>();
    for (const id of ids) seen.set(id, this.names.get(id) ?? '');
    return seen;
  }

  isOnline(userId: string): boolean {
    return this.online.has(userId);
  }

  private hidden(a: string, b: string): boolean {
    return this.blocks.get(a)?.has(b) === true || this.blocks.get(b)?.has(a) === true;
  }

  private visibleContactsOf(userId: string): string[] {
    return [...(this.contacts.get(userId) ?? [])].filter((c) => !this.hidden(userId, c));
  }

  /** Whether `viewer` sees `subject` online (contacts scope). */
  private seesOnline(viewer: string, subject: string): boolean {
    return this.online.has(subject) && this.contacts.get(viewer)?.has(subject) === true && !this.hidden(viewer, subject);
  }

  /**
   * Takes the events of `eventTypes` from the start of the log through `through` (the
   * broadcaster's start, as the log processor reads them), then the usernames of the users online
   * at that point.
   */
  async load(
    history: AsyncIterable<{ readonly events: readonly Stored[] }>,
    through: Position,
    profiles: (userIds: readonly string[]) => Promise<(userId: string) => ProfileView>,
  ): Promise<void> {
    for await (const page of history) for (const { event } of page.events) this.change(event, undefined);
    this.loadedThrough = through;
    const lookup = await profiles([...this.online]);
    for (const id of this.online) this.names.set(id, lookup(id).username);
  }

  /** Applies one event the broadcaster follows; the presence views it changed, by group. */
  apply(at: Position, event: AnyDomainEvent, profile: (userId: string) => ProfileView): readonly PresenceChange[] {
    if (this.loadedThrough !== undefined && comparePositions(at, this.loadedThrough) <= 0) return [];
    return this.change(event, profile);
  }

  private change(e: AnyDomainEvent, profile: ((userId: string) => ProfileView) | undefined): readonly PresenceChange[] {
    switch (e.type) {
      case 'UserWentOnline':
      case 'UserWentOffline': {
        const id = e.data.userId;
        if (profile !== undefined) this.names.set(id, profile(id).username);
        const before = this.online.has(id);
        const after = e.type === 'UserWentOnline';
        if (after) this.online.add(id);
        else this.online.delete(id);
        if (before === after) return [];
        const username = this.names.get(id) ?? '';
        return this.audienceOf(id).map((group) => ({ group, userId: id, username, before, after }));
      }
      case 'ChatCreated':
        return this.relate(e.data.members[0], e.data.members[1], () => {
          link(this.contacts, e.data.members[0], e.data.members[1]);
          link(this.contacts, e.data.members[1], e.data.members[0]);
        });
      case 'FriendAdded':
        return this.relate(e.data.userId, e.data.friendId, () => {
          link(this.contacts, e.data.userId, e.data.friendId);
          link(this.contacts, e.data.friendId, e.data.userId);
        });
      case 'UserErased':
        // The name it kept for an online user is personal data: from now on the alias.
        if (this.names.has(e.data.userId)) this.names.set(e.data.userId, e.data.alias);
        return [];
      case 'UserBlocked':
        return this.relate(e.data.userId, e.data.blockedId, () => link(this.blocks, e.data.userId, e.data.blockedId));
      case 'UserUnblocked':
        return this.relate(e.data.userId, e.data.blockedId, () => this.blocks.get(e.data.userId)?.delete(e.data.blockedId));
      default:
        return [];
    }
  }

  /** A relation between `a` and `b` changed: each side's view of the other, where it changed. */
  private relate(a: string, b: string, update: () => void): readonly PresenceChange[] {
    if (this.scope === 'all') return [];
    const before = [this.seesOnline(a, b), this.seesOnline(b, a)];
    update();
    const after = [this.seesOnline(a, b), this.seesOnline(b, a)];
    const changes: PresenceChange[] = [];
    if (before[0] !== after[0])
      changes.push({ group: userGroup(a), userId: b, username: this.names.get(b) ?? '', before: before[0] === true, after: after[0] === true });
    if (before[1] !== after[1])
      changes.push({ group: userGroup(b), userId: a, username: this.names.get(a) ?? '', before: before[1] === true, after: after[1] === true });
    return changes;
  }
}
