import type { Clock } from './clock.js';

/** Both sides read whole milliseconds: a server interval can measure up to 1 ms short, a client one 1 ms long. */
const CLOCK_GRAIN_MS = 2;

/**
 * The server's flood control (`ready.limits`: a token bucket of `perSecond`, `burst`, full when
 * the socket starts), kept on the client's side of the wire. The server counts a frame when it
 * reads it, which the client cannot see: it only knows that frame j arrives after it was sent,
 * and frame i before its answer came back. The server takes frame j when, for every i ≤ j,
 * j − i + 1 ≤ burst + perSecond · (arrival j − arrival i); the SDK sends it only when that holds
 * with its send time for j and the answer's time for i (so at most `burst` frames are ever
 * unanswered). Same rate, same burst, and never refused, however late the server reads a burst.
 */
export class Pacer {
  /** Frames sent on this socket: the next one is frame `count`. */
  private count = 0;
  /** When each frame's answer came, until folded into `latest`. */
  private readonly answers = new Map<number, number>();
  private folded = 0;
  /** The largest answer time of a folded frame i less i / perSecond (ms). */
  private latest = -Infinity;
  private notBefore = -Infinity;

  constructor(
    private readonly clock: Clock,
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** How long until the next frame may go (0: now), or undefined until frames sent earlier are answered. */
  wait(): number | undefined {
    const j = this.count;
    for (; this.folded <= j - this.burst; this.folded++) {
      const at = this.answers.get(this.folded);
      if (at === undefined) return undefined;
      this.answers.delete(this.folded);
      this.latest = Math.max(this.latest, at - (this.folded * 1000) / this.perSecond);
    }
    const earliest = Math.max(this.notBefore, this.latest + ((j + 1 - this.burst) * 1000) / this.perSecond + CLOCK_GRAIN_MS);
    return Math.max(0, Math.ceil(earliest - this.clock.now()));
  }

  /** A frame goes now: its number, to report its answer with. */
  sent(): number {
    return this.count++;
  }

  answered(frame: number): void {
    this.answers.set(frame, this.clock.now());
  }

  /** A frame was refused as `rate_limited` (the server's figures are not what it said): nothing more for 1 / perSecond. */
  backOff(): void {
    this.notBefore = this.clock.now() + 1000 / this.perSecond;
  }
}
