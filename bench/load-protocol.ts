/** Messages between the orchestrator (run.ts) and the load generator (load.ts) over the fork IPC channel. */
import type { LatencySummary } from './stats.js';

export type Target =
  | { readonly kind: 'service'; readonly httpUrl: string; readonly wsUrl: string; readonly jwtSecret: string }
  | { readonly kind: 'relay'; readonly wsUrl: string };

export interface PhaseSpec {
  /** Messages per second over all chats (open loop). */
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long to wait after the last send for outstanding deliveries. */
  readonly graceMs: number;
  /** Concurrent REST GET /api/chats/{username}/messages at this rate (service only). */
  readonly restRate?: number;
  /** Return the raw latencies too, so phases can be pooled (f3 interleaves short phases on two services). */
  readonly keepSamples?: boolean;
}

export type ToLoad =
  | { readonly type: 'init'; readonly target: Target; readonly label: string }
  /** Make users [from, to) known and create the chats of pairs (2k, 2k+1) among them. */
  | { readonly type: 'setup'; readonly users: number; readonly concurrency: number }
  /** Open connections [from, to) in batches, connection c as user c % users (tabs) or user c; wait until each is set up. */
  | { readonly type: 'connect'; readonly from: number; readonly to: number; readonly batch: number; readonly timeoutMs: number; readonly users?: number }
  | { readonly type: 'phase'; readonly spec: PhaseSpec }
  | { readonly type: 'close' };

export interface SetupResult {
  readonly users: number;
  readonly chats: number;
  readonly ms: number;
}

export interface ConnectResult {
  readonly opened: number;
  readonly failed: number;
  readonly ms: number;
  /** Frames received by all sockets while connecting (presence fan-out). */
  readonly framesDuringConnect: number;
  readonly framesByAction: Readonly<Record<string, number>>;
  readonly firstError?: string;
}

export interface RestResult {
  readonly targetRate: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly latencyMs: LatencySummary;
  /** Answered requests slower than 100 ms, 500 ms, 1 s and 1.9 s (READ_YOUR_WRITES_TIMEOUT_MS is 2 s by default). */
  readonly slowerThan: SlowerThan;
  readonly firstError?: string;
}

export type SlowerThan = { readonly '100': number; readonly '500': number; readonly '1000': number; readonly '1900': number };

/** RestResult's `slowerThan` of a set of answered requests' latencies (ms). */
export const slowerThan = (latencies: readonly number[]): SlowerThan => {
  const over = (ms: number): number => latencies.filter((l) => l > ms).length;
  return { '100': over(100), '500': over(500), '1000': over(1000), '1900': over(1900) };
};

export interface PhaseResult {
  readonly targetRate: number;
  readonly measuredSeconds: number;
  /** Messages sent in the measurement window. */
  readonly sent: number;
  readonly sentPerSecond: number;
  /** Frames received by the other member, in the window (by receive time). */
  readonly deliveredPerSecond: number;
  /** Every frame received by every socket, in the window (acknowledgements, presence, errors included). */
  readonly framesReceivedPerSecond: number;
  /** Of the messages sent in the window: delivered to the other member / acknowledged to the sender. */
  readonly delivered: number;
  readonly acked: number;
  readonly lost: number;
  readonly errorFrames: number;
  readonly closes: number;
  readonly sendFailures: number;
  /** error frames + closes + send failures + lost. */
  readonly errors: number;
  /** Send → frame received by the other member. */
  readonly latencyMs: LatencySummary;
  /** Send → echo received by the sender (the acknowledgement). */
  readonly ackLatencyMs: LatencySummary;
  /** How late the generator's timer fired at worst (its own saturation). */
  readonly generatorMaxLagMs: number;
  readonly rest?: RestResult;
  readonly firstError?: string;
  /** With `keepSamples`: every delivery latency, acknowledgement latency and answered REST call's, in ms. */
  readonly samples?: { readonly latencyMs: readonly number[]; readonly ackMs: readonly number[]; readonly restMs?: readonly number[] };
}

export type FromLoad =
  | { readonly type: 'ready' }
  | { readonly type: 'setupDone'; readonly result: SetupResult }
  | { readonly type: 'connected'; readonly result: ConnectResult }
  | { readonly type: 'mark'; readonly what: 'measureStart' | 'measureEnd' }
  | { readonly type: 'phaseDone'; readonly result: PhaseResult }
  | { readonly type: 'closed' }
  | { readonly type: 'failed'; readonly error: string };
