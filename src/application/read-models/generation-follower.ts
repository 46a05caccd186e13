import type { Logger } from 'pino';
import type { RunningConsumer } from '../log/consumer.js';
import type { ReadModelGenerations } from '../ports/read-model-generations.js';
import type { ReadSide } from './read-side.js';

/**
 * Follows the current read-model generation: when a rebuild makes another one current, this
 * node serves it and carries on projecting into it from its own checkpoint (so the events
 * written during the rebuild are applied there too). The pointer is shared, so every node
 * switches within one poll.
 */
export class GenerationFollower {
  private timer: NodeJS.Timeout | undefined;
  private switching: Promise<void> = Promise.resolve();

  constructor(
    private generation: string,
    private readonly generations: ReadModelGenerations,
    private readonly readSide: ReadSide,
    private readonly projection: RunningConsumer,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  get current(): string {
    return this.generation;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.switching = this.switching.then(() => this.check()).catch((err: unknown) => this.logger.error({ err }, 'read-model generation switch failed'));
    }, this.pollMs);
    this.timer.unref();
  }

  /** Switches now if the pointer moved (also used by tests and the replay CLI's callers). */
  async check(): Promise<void> {
    const next = await this.generations.current();
    if (next === this.generation) return;
    const store = await this.generations.open(next);
    await this.projection.stop();
    // Until the projection starts on the new generation's checkpoint, nothing counts as caught up.
    this.projection.tracker.reset(undefined);
    const previous = this.readSide.swap(store);
    await this.projection.restart();
    await previous.close();
    this.logger.info({ from: this.generation, to: next }, 'serving a rebuilt read-model generation');
    this.generation = next;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.switching;
  }
}
