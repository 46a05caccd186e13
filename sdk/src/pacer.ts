import type { Clock } from './clock.js';

/**
 * A token bucket below the server's flood control (20 frames/s, bursts of 40), so the SDK's own
 * frames (each call and its barrier) are never refused as `rate_limited`.
 */
export class Pacer {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Takes `n` tokens if there are; otherwise how many ms until there will be. */
  take(n: number): true | number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return Math.ceil(((n - this.tokens) * 1000) / this.perSecond);
  }
}
