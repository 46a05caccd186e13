import type { AnyDomainEvent, EventType } from '../../domain/events.js';
import type { BlockedView } from '../broadcast/delivery.js';
import type { Position } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';

const key = (blockerId: string, blockedId: string): string => `${blockerId}\u0000${blockedId}`;

interface Change {
  readonly at: Position;
  readonly blocked: boolean;
}

/** The pair a block event changes, and what it leaves. */
const changeOf = (event: AnyDomainEvent): { readonly pair: string; readonly blocked: boolean } | undefined =>
  event.type === 'UserBlocked' || event.type === 'UserUnblocked'
    ? { pair: key(event.data.userId, event.data.blockedId), blocked: event.type === 'UserBlocked' }
    : undefined;

/**
 * Who blocked whom, derived from the block events in log order, for `block_update` frames: an
 * event gives one direction's flag, the other direction's comes from here. The broadcaster loads
 * it with the presence graph (the log up to where it starts) and applies each event after its
 * frames, in the same synchronous step. It keeps each pair's changes (block events are few), so
 * a resume's replay frames an event with the flags as they stood then, as the live frame did.
 */
export class BlockGraph {
  static readonly eventTypes: readonly EventType[] = ['UserBlocked', 'UserUnblocked'];
  /** Each pair's changes, in log order. */
  private readonly changes = new Map<string, Change[]>();

  /** Who blocked whom after every event the graph took. */
  readonly blocked: BlockedView = (blockerId, blockedId) => this.changes.get(key(blockerId, blockedId))?.at(-1)?.blocked ?? false;

  /** Who blocked whom just before the event at `at`: exact for events up to the last one the graph took. */
  blockedBefore(at: Position): BlockedView {
    return (blockerId, blockedId) => {
      const changes = this.changes.get(key(blockerId, blockedId)) ?? [];
      for (let i = changes.length - 1; i >= 0; i--) {
        const change = changes[i];
        if (change !== undefined && comparePositions(change.at, at) < 0) return change.blocked;
      }
      return false;
    };
  }

  /** Takes the block event stored at `at` (other events are ignored); taking it again changes nothing. */
  apply(at: Position, event: AnyDomainEvent): void {
    const change = changeOf(event);
    if (change === undefined) return;
    const changes = this.changes.get(change.pair) ?? [];
    const last = changes.at(-1);
    if (last !== undefined && comparePositions(last.at, at) >= 0) return;
    changes.push({ at, blocked: change.blocked });
    this.changes.set(change.pair, changes);
  }

  /** A view for a replay that reads the log from some position on (see `BlockReplay`). */
  replay(): BlockReplay {
    return new BlockReplay(this);
  }
}

/**
 * A resume's view: the graph's history, and the block events the replay itself passed, which
 * cover what the graph may not have taken yet (the broadcaster can lag the log's head). Not
 * covered: block events between the graph's last and the replay's start, when the broadcaster
 * lags even the client's `since`; those frames then show the other direction as the graph has it.
 */
export class BlockReplay {
  private readonly passed = new Map<string, boolean>();

  constructor(private readonly graph: BlockGraph) {}

  /** Who blocked whom just before the event at `at`, the replay having passed every event before it. */
  before(at: Position): BlockedView {
    const graph = this.graph.blockedBefore(at);
    return (blockerId, blockedId) => this.passed.get(key(blockerId, blockedId)) ?? graph(blockerId, blockedId);
  }

  apply(event: AnyDomainEvent): void {
    const change = changeOf(event);
    if (change !== undefined) this.passed.set(change.pair, change.blocked);
  }
}
