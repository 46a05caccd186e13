/** The load generator's record of each message it sent: when, by whom, and when it was delivered and acknowledged. */

/** Per-message bookkeeping in growable typed arrays (a million messages cost ~30 MB). */
export class SeqLog {
  size = 0;
  sendAt = new Float64Array(1 << 16);
  sender = new Int32Array(1 << 16);
  deliveredAt = new Float64Array(1 << 16);
  ackedAt = new Float64Array(1 << 16);

  next(sender: number, at: number): number {
    if (this.size === this.sendAt.length) this.grow();
    const seq = this.size++;
    this.sendAt[seq] = at;
    this.sender[seq] = sender;
    this.deliveredAt[seq] = 0;
    this.ackedAt[seq] = 0;
    return seq;
  }

  private grow(): void {
    const n = this.sendAt.length * 2;
    const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.sendAt = g(this.sendAt, (k) => new Float64Array(k));
    this.sender = g(this.sender, (k) => new Int32Array(k));
    this.deliveredAt = g(this.deliveredAt, (k) => new Float64Array(k));
    this.ackedAt = g(this.ackedAt, (k) => new Float64Array(k));
  }
}
