import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import type { PositionTracker } from '../../application/log/position-tracker.js';

/** What the WebSocket side reports; every method is cheap enough for the frame path. */
export interface WsMetrics {
  frameIn(action: string): void;
  frameOut(action: string): void;
  refusal(code: string, via: 'ws' | 'rest'): void;
  command(action: string, seconds: number): void;
  resumeBacklog(frames: number): void;
}

export interface MetricsSources {
  readonly nodeId: string;
  readonly store: EventStore;
  readonly connections: () => number;
  /** Read when scraped, so the metrics can be made before what they watch. */
  readonly projection: () => PositionTracker;
  readonly broadcaster: () => PositionTracker;
  /** Group-commit counters of the embedded store (absent on EventStoreDB). */
  readonly groupCommits?: () => { readonly transactions: number; readonly appends: number; readonly events: number };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's Prometheus metrics (prom-client), served at `GET /metrics`: traffic and latency
 * counted where it happens, lags and connections computed when scraped.
 */
export class ServiceMetrics implements WsMetrics {
  readonly registry = new Registry();
  private readonly framesIn: Counter<'action'>;
  private readonly framesOut: Counter<'action'>;
  private readonly refusals: Counter<'code' | 'via'>;
  private readonly commandSeconds: Histogram<'action'>;
  private readonly backlog: Histogram;
  readonly appendSeconds: Histogram;
  readonly restSeconds: Histogram<'route' | 'method' | 'status'>;

  constructor(s: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, labels: { node: s.nodeId } });
    this.framesIn = new Counter({
      name: 'chat_ws_frames_in_total',
      help: 'Client frames received, by action (unknown: not decodable)',
      labelNames: ['action'],
      registers,
    });
    this.framesOut = new Counter({ name: 'chat_ws_frames_out_total', help: 'Frames sent to sockets, by action', labelNames: ['action'], registers });
    this.refusals = new Counter({ name: 'chat_refusals_total', help: 'Business-rule refusals, by code and interface', labelNames: ['code', 'via'], registers });
    this.commandSeconds = new Histogram({
      name: 'chat_command_seconds',
      help: 'Time to handle one WebSocket action',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.backlog = new Histogram({
      name: 'chat_ws_resume_backlog_frames',
      help: 'Frames replayed to a socket that resumed or joined',
      buckets: [0, 1, 10, 100, 1000, 10_000],
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'chat_store_append_seconds',
      help: 'Event store append latency (durable)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.restSeconds = new Histogram({
      name: 'chat_http_request_seconds',
      help: 'REST latency, by route and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'chat_ws_connections',
      help: 'Open WebSocket connections on this node',
      labelNames: ['node'],
      registers,
      collect() {
        this.set({ node: s.nodeId }, s.connections());
      },
    });
    const groupCommits = s.groupCommits;
    if (groupCommits !== undefined) {
      new Gauge({
        name: 'chat_store_group_commits',
        help: 'Embedded store: write transactions, appends and events committed since start (appends / transactions = group-commit size)',
        labelNames: ['kind'],
        registers,
        collect() {
          const g = groupCommits();
          this.set({ kind: 'transactions' }, g.transactions);
          this.set({ kind: 'appends' }, g.appends);
          this.set({ kind: 'events' }, g.events);
        },
      });
    }
    for (const [consumer, tracker] of [
      ['projection', s.projection],
      ['broadcaster', s.broadcaster],
    ] as const) {
      new Gauge({
        name: `chat_${consumer}_lag_events`,
        help: `Events stored but not yet handled by this node's ${consumer}`,
        registers,
        async collect() {
          this.set(Number(await lagEvents(s.store, tracker().position)));
        },
      });
      new Gauge({
        name: `chat_${consumer}_lag_seconds`,
        help: `Age of the oldest event this node's ${consumer} has not handled (0 when caught up)`,
        registers,
        async collect() {
          this.set(await lagSeconds(s.store, tracker().position));
        },
      });
    }
  }

  frameIn(action: string): void {
    this.framesIn.inc({ action });
  }
  frameOut(action: string): void {
    this.framesOut.inc({ action });
  }
  refusal(code: string, via: 'ws' | 'rest'): void {
    this.refusals.inc({ code, via });
  }
  command(action: string, seconds: number): void {
    this.commandSeconds.observe({ action }, seconds);
  }
  resumeBacklog(frames: number): void {
    this.backlog.observe(frames);
  }
}

const lagEvents = async (store: EventStore, at: Position | undefined): Promise<bigint> => {
  const head = await store.headPosition();
  if (head === undefined) return 0n;
  // Exact on the embedded store (one sequence); on EventStoreDB an upper bound in log bytes.
  const behind = head.commit - (at?.commit ?? 0n);
  return behind > 0n ? behind : 0n;
};

const lagSeconds = async (store: EventStore, at: Position | undefined): Promise<number> => {
  const [next] = await store.readAll({ ...(at === undefined ? {} : { after: at }), maxCount: 1 });
  if (next === undefined) return 0;
  return Math.max(0, (Date.now() - Date.parse(next.metadata.timestamp)) / 1000);
};
