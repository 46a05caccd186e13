import type { Clock } from './clock.js';

/**
 * A token bucket the same as the server's flood control (`ready.limits`): `perSecond` sustained,
 * `burst` at once, full when the socket starts. Sending only when it has a token, the SDK is
 * never refused as `rate_limited` unless the network bunches its frames up.
 */
export class Pacer {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    readonly perSecond: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Takes a token if there is one; otherwise how many ms until there will be. */
  take(): true | number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }

  /** A frame was refused as `rate_limited`: the server's bucket is empty, so this one starts again from empty. */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }
}
