import type { NodeLeases } from '../ports/node-leases.js';

/**
 * Keeps this node's lease alive: renewed every TTL/3, so two renewals can fail in a row before the
 * lease lapses. Per node, hence a plain timer rather than a shared job.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly leases: NodeLeases,
    private readonly nodeId: string,
    private readonly ttlMs: number,
    private readonly now: () => Date,
    private readonly onError: (err: unknown) => void,
  ) {}

  private renew(): Promise<void> {
    // One renewal at a time: a slow store must not pile them up.
    this.renewing = this.renewing.then(async () => {
      try {
        await this.leases.renew(this.nodeId, new Date(this.now().getTime() + this.ttlMs));
      } catch (err) {
        this.onError(err);
      }
    });
    return this.renewing;
  }

  /** Takes the lease before this node serves anyone, then keeps it. */
  async start(): Promise<void> {
    await this.leases.renew(this.nodeId, new Date(this.now().getTime() + this.ttlMs));
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops renewing; `release` drops the lease (a clean stop: this node's sockets were closed properly). */
  async stop(release: boolean): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (release) await this.leases.forget(this.nodeId);
  }
}
