/** Just what ClientSocket uses of a `ws` socket. */
export class StubWs {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

/** The TCP socket's cork state. */
export class StubRaw {
  corked = 0;
  flushes = 0;
  cork(): void {
    this.corked += 1;
  }
  uncork(): void {
    this.corked -= 1;
    if (this.corked === 0) this.flushes += 1;
  }
}
