/**
 * The outcome of a decider: the events to append, or a business refusal.
 * Refusals carry a snake_case code that the WebSocket layer sends back unchanged.
 */
export interface Refusal {
  readonly _tag: 'Refusal';
  readonly code: string;
  readonly msg: string;
}

export const refuse = (code: string, msg: string): Refusal => ({ _tag: 'Refusal', code, msg });

export const isRefusal = (x: unknown): x is Refusal => typeof x === 'object' && x !== null && (x as { _tag?: unknown })._tag === 'Refusal';
