/** The load generator's REST reads (scenario e): open loop at a target rate, during a phase's measurement window. */
import { slowerThan, type RestResult } from './load-protocol.js';
import { round, summarise } from './stats.js';

/** Where the reads go: GET /api/chats/{username}/messages as user `i`, among `userCount` users. */
export interface RestTarget {
  restGet(i: number): Promise<{ status: number; body: string }>;
  readonly userCount: number;
}

/** Open-loop REST reads during a phase's measurement window. */
export class RestLoad {
  private startedAt = 0;
  private issued = 0;
  private running = false;
  outstanding = 0;
  private readonly latencies: number[] = [];
  private errors = 0;
  private firstError: string | undefined;

  get samples(): readonly number[] {
    return this.latencies;
  }

  constructor(
    private readonly gen: RestTarget,
    private readonly rate: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.running = true;
  }

  stop(): void {
    this.running = false;
  }

  tick(now: number): void {
    if (!this.running) return;
    const due = Math.floor(((now - this.startedAt) * this.rate) / 1000) - this.issued;
    for (let k = 0; k < due; k++) {
      this.issued++;
      if (this.outstanding > 2000) {
        this.errors++;
        this.firstError ??= 'more than 2000 REST requests outstanding';
        continue;
      }
      const user = Math.floor(Math.random() * this.gen.userCount);
      const t0 = performance.now();
      this.outstanding++;
      this.gen.restGet(user).then(
        (r) => {
          this.outstanding--;
          if (r.status === 200) this.latencies.push(performance.now() - t0);
          else {
            this.errors++;
            this.firstError ??= `${r.status} ${r.body.slice(0, 200)}`;
          }
        },
        (err: unknown) => {
          this.outstanding--;
          this.errors++;
          this.firstError ??= err instanceof Error ? err.message : String(err);
        },
      );
    }
  }

  result(seconds: number): RestResult {
    return {
      targetRate: this.rate,
      requests: this.issued,
      perSecond: round(this.latencies.length / seconds, 1),
      errors: this.errors + this.outstanding,
      latencyMs: summarise(this.latencies),
      slowerThan: slowerThan(this.latencies),
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
    };
  }
}
