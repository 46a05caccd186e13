import type { AnyDomainEvent, EventType } from '../../domain/events.js';
import type { BlockedView } from '../broadcast/delivery.js';

const key = (blockerId: string, blockedId: string): string => `${blockerId}\u0000${blockedId}`;

/**
 * Who blocked whom, derived from the block events in log order, for `block_update` frames: an
 * event says one side's flag, the other side's comes from here. The broadcaster loads it with the
 * presence graph (the log up to where it starts) and applies each event after its frames, in the
 * same synchronous step, so a live frame sees every block stored before its event.
 */
export class BlockGraph {
  static readonly eventTypes: readonly EventType[] = ['UserBlocked', 'UserUnblocked'];
  private readonly pairs = new Set<string>();

  readonly blocked: BlockedView = (blockerId, blockedId) => this.pairs.has(key(blockerId, blockedId));

  /** Takes a block event (other events are ignored); applying one twice changes nothing. */
  apply(event: AnyDomainEvent): void {
    if (event.type === 'UserBlocked') this.pairs.add(key(event.data.userId, event.data.blockedId));
    else if (event.type === 'UserUnblocked') this.pairs.delete(key(event.data.userId, event.data.blockedId));
  }

  /**
   * A view for a resume's replay, which reads events the graph may not have taken yet: block
   * events applied to the overlay as the replay passes them win over the graph, so the replay's
   * last `block_update` for two users shows what its last block event between them left.
   */
  overlay(): BlockOverlay {
    return new BlockOverlay(this.blocked);
  }
}

export class BlockOverlay {
  private readonly changed = new Map<string, boolean>();

  constructor(private readonly base: BlockedView) {}

  readonly blocked: BlockedView = (blockerId, blockedId) => this.changed.get(key(blockerId, blockedId)) ?? this.base(blockerId, blockedId);

  apply(event: AnyDomainEvent): void {
    if (event.type === 'UserBlocked' || event.type === 'UserUnblocked')
      this.changed.set(key(event.data.userId, event.data.blockedId), event.type === 'UserBlocked');
  }
}
