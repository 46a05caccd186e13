import type { Clock } from './clock.js';
import { tokenExpiry } from './jwt.js';

/**
 * The current token, from the application's `getToken` callback: fetched when there is none,
 * when it is within `marginMs` of its `exp`, or when forced (a 3001 close, a 401 answer).
 */
export class TokenSource {
  private token: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly getToken: () => Promise<string>,
    private readonly clock: Clock,
    readonly marginMs: number,
  ) {}

  async current(force = false): Promise<string> {
    if (!force && this.token !== undefined && !this.expiresSoon(this.token)) return this.token;
    // One refresh at a time: concurrent callers share it.
    this.pending ??= this.getToken().then(
      (token) => {
        this.token = token;
        this.pending = undefined;
        return token;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }

  /** When the current token should be replaced (ms since the epoch), if it has an `exp`. */
  refreshAt(): number | undefined {
    const exp = this.token === undefined ? undefined : tokenExpiry(this.token);
    return exp === undefined ? undefined : exp - this.marginMs;
  }

  private expiresSoon(token: string): boolean {
    const exp = tokenExpiry(token);
    return exp !== undefined && exp - this.marginMs <= this.clock.now();
  }
}
