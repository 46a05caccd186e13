import type { Logger } from 'pino';
import { domainEvents } from '../../domain/events.js';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import { pause, retryDelayMs } from './retry.js';
import { decodeStored, type Stored } from './stored.js';

/**
 * The log's live tail, followed once per node: one subscription from the head as it was at the
 * start, each event decoded once and handed to every consumer in log order. A dropped
 * subscription is opened again after the last event handed on, so the tail has no gap.
 *
 * A user erased (on any node, or by the erase tool) has their cached keys dropped here, as soon
 * as the event is decoded: nothing after it in the log is opened or sealed with a key the store
 * no longer has.
 */
export class LiveFeed {
  private subscription: Subscription | undefined;
  private loop: Promise<void> = Promise.resolve();
  private stopped = false;
  private fault: Error | undefined;
  private cancelPause: () => void = () => {};

  constructor(
    private readonly store: EventStore,
    private readonly personal: PersonalData,
    private position: Position | undefined,
    /** Each event as stored, and decoded (undefined for a type this code does not know). */
    private readonly handOn: (recorded: RecordedEvent, stored: Stored | undefined) => void,
    private readonly logger: Logger,
  ) {}

  /** The fault that keeps the feed from following the log, until it follows again. */
  get error(): Error | undefined {
    return this.fault;
  }

  /** Subscribes now: what is appended from here on reaches the consumers. */
  start(): void {
    this.subscription = this.subscribe();
    this.loop = this.follow(this.subscription);
  }

  private subscribe(): Subscription {
    return this.store.subscribeAll(this.position === undefined ? {} : { after: this.position });
  }

  private async follow(first: Subscription): Promise<void> {
    let subscription = first;
    for (let faults = 0; !this.stopped;) {
      const before = this.position;
      try {
        for await (const recorded of subscription) {
          await this.personal.prepare(domainEvents, [recorded]);
          const stored = decodeStored(domainEvents, recorded, this.personal);
          if (stored?.event.type === 'UserErased') this.personal.forgetUser(stored.event.data.userId);
          this.handOn(recorded, stored);
          this.position = recorded.position;
          this.fault = undefined;
        }
      } catch (err) {
        if (!this.stopped) {
          this.fault = err instanceof Error ? err : new Error(String(err));
          this.logger.error(
            { err, position: this.position === undefined ? undefined : formatPosition(this.position) },
            'live feed stopped on a fault: subscribing again',
          );
        }
      } finally {
        await subscription.close().catch(() => undefined);
      }
      if (this.stopped) return;
      if (this.position !== before) faults = 0;
      const wait = pause(retryDelayMs(faults));
      this.cancelPause = wait.cancel;
      await wait.done;
      faults += 1;
      if (this.stopped) return;
      subscription = this.subscription = this.subscribe();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPause();
    await this.subscription?.close();
    await this.loop;
  }
}
