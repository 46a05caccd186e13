import type { Logger } from 'pino';
import type { LogConsumer } from '../log/consumer.js';
import { LeasedConsumer, type HeldLease } from '../log/leased-consumer.js';
import type { LogProcessor } from '../log/log-processor.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { ReactorCheckpoints } from '../ports/reactor-checkpoints.js';
import type { Reactor } from './reactor.js';

export interface ReactorRunnerOptions {
  /** This node: the owner of the reactors it runs. */
  readonly owner: string;
  /** How long a claim holds; it is renewed every third of it. */
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** Before the first event of any log. */
const LOG_START: Position = { commit: 0n, prepare: 0n };

/**
 * Runs one reactor on whichever node holds its lease, as a consumer of the log processor: from
 * the reactor's checkpoint, each event of its types reacted to and then checkpointed; a reaction
 * that fails is retried by the processor from the checkpoint (a follow-up is never skipped). A
 * node that loses the lease stops at once; the next owner goes on from the checkpoint, so each
 * event is handled by one node, and at worst once more after a crash (reactions are idempotent).
 */
export class ReactorRunner {
  private readonly leased: LeasedConsumer;

  constructor(
    private readonly reactor: Reactor,
    processor: LogProcessor,
    private readonly store: Pick<EventStore, 'headPosition'>,
    checkpoints: ReactorCheckpoints,
    o: ReactorRunnerOptions,
  ) {
    this.leased = new LeasedConsumer(reactor.name, (lease) => this.consumer(lease), processor, store, checkpoints, o);
  }

  get isOwner(): boolean {
    return this.leased.isOwner;
  }

  start(): void {
    this.leased.start();
  }

  /** The reactor as a log consumer: each event reacted to, then checkpointed while this node holds the lease. */
  private async consumer(lease: HeldLease): Promise<LogConsumer> {
    // A reactor seen for the first time starts at the head (history is not reacted to again),
    // and says so in its checkpoint at once: on an empty log that is the start of the log.
    let position = lease.checkpoint;
    if (position === undefined) {
      position = (await this.store.headPosition()) ?? LOG_START;
      await lease.save(position);
    }
    return {
      name: `reactor ${this.reactor.name}`,
      eventTypes: this.reactor.eventTypes,
      resumeAfter: async () => position,
      handle: async (events) => {
        for (const stored of events) {
          lease.check();
          await this.reactor.react(stored);
          await lease.save(stored.recorded.position);
          position = stored.recorded.position;
        }
      },
    };
  }

  /**
   * A clean stop: reacts to what was stored before it (the close-outs of the last sockets
   * included, within `drainMs`), then gives the lease up so another node takes over at once.
   */
  async stop(drainMs: number): Promise<void> {
    await this.leased.stop(drainMs);
  }
}
