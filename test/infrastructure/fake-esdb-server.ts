/**
 * An in-process stand-in for EventStoreDB's gRPC Streams service (Read and Append only), so
 * the adapter and the real client can be exercised end to end without a server. It follows
 * EventStoreDB 24.10 where the adapter depends on it (see the notes on each rule); it is not
 * EventStoreDB, and the contract suite must still be run against the real one.
 *
 * Modelled: $all positions with commit = prepare that grow by record size; system events in
 * the log; forward $all reads inclusive of their position, backward ones exclusive; append
 * answering with the last event's position, and without one for an idempotent replay;
 * wrong-expected-version with the current revision; stream-not-found; catch-up subscriptions
 * to $all (exclusive of their position) with stream-name and event-type filters.
 * For tests: calls counted per kind, live deliveries held back, subscriptions dropped or refused.
 * Not modelled: BatchAppend and ServerFeatures (the client then falls back to Append), links,
 * deletes, checkpoints, authentication.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';

const { Empty, StreamIdentifier, UUID } = sharedPb;
const { AppendResp, ReadResp } = streamsPb;
type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
type AppendReq = InstanceType<typeof streamsPb.AppendReq>;
type ReadOptions = InstanceType<typeof streamsPb.ReadReq.Options>;

interface StoredEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly position: bigint;
}

interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

type Expected = { readonly kind: 'any' | 'no_stream' | 'stream_exists' } | { readonly kind: 'revision'; readonly revision: number };

interface LiveSubscriber {
  readonly deliver: (e: StoredEvent) => void;
  /** Ends the call with an error status, as a server that drops a subscription does. */
  readonly drop: () => void;
}

/** The calls a client made, by kind. */
export interface CallCounts {
  appends: number;
  streamReads: number;
  allReads: number;
  subscriptions: number;
}

const bytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? Buffer.from(v, 'base64') : v);
const text = (v: Uint8Array | string): string => Buffer.from(bytes(v)).toString('utf8');

export class FakeEsdbServer {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly live = new Set<LiveSubscriber>();
  private nextPosition = 1_000n;
  private held: (() => void)[] | undefined;
  /** While true, new subscriptions fail at once (UNAVAILABLE), as when the server is unreachable for them. */
  refuseSubscriptions = false;
  readonly calls: CallCounts = { appends: 0, streamReads: 0, allReads: 0, subscriptions: 0 };
  private readonly server = new grpc.Server();
  private port = 0;

  private constructor() {
    this.server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, InstanceType<typeof ReadResp>>) => this.read(call),
      append: (call: grpc.ServerReadableStream<AppendReq, InstanceType<typeof AppendResp>>, callback: grpc.sendUnaryData<InstanceType<typeof AppendResp>>) =>
        this.append(call, callback),
    });
    // A fresh EventStoreDB already holds system events.
    this.write('$settings', [this.systemEvent('$settings')]);
    this.write('$scavenges', [this.systemEvent('$scavengeIndexInitialized')]);
  }

  static async start(): Promise<FakeEsdbServer> {
    const fake = new FakeEsdbServer();
    fake.port = await new Promise<number>((resolve, reject) =>
      fake.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error))),
    );
    return fake;
  }

  get url(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Writes a system event, as the server itself does now and then (stream metadata, stats). */
  writeSystemEvent(): void {
    this.write(`$$sys-${randomUUID()}`, [this.systemEvent('$metadata')]);
  }

  /** Subscriptions being served live now. */
  get liveSubscriptions(): number {
    return this.live.size;
  }

  /** A copy of the counters, to diff against later. */
  callCounts(): CallCounts {
    return { ...this.calls };
  }

  /** Live events are queued, not sent, until releaseDeliveries(): a subscription that lags. */
  holdDeliveries(): void {
    this.held ??= [];
  }

  releaseDeliveries(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const send of held) send();
  }

  /** Ends every live subscription with an error status. */
  dropSubscriptions(): void {
    for (const s of [...this.live]) s.drop();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private systemEvent(type: string): Proposed {
    return { id: randomUUID(), type, contentType: 'application/json', data: Buffer.from('{}'), metadata: new Uint8Array() };
  }

  private append(
    call: grpc.ServerReadableStream<AppendReq, InstanceType<typeof AppendResp>>,
    callback: grpc.sendUnaryData<InstanceType<typeof AppendResp>>,
  ): void {
    let streamId = '';
    let expected: Expected = { kind: 'any' };
    const proposed: Proposed[] = [];
    this.calls.appends += 1;
    call.on('data', (req: AppendReq) => {
      const options = req.getOptions();
      if (options !== undefined) {
        streamId = text(options.getStreamIdentifier()?.getStreamName() ?? '');
        expected = options.hasRevision()
          ? { kind: 'revision', revision: Number(options.getRevision()) }
          : options.hasNoStream()
            ? { kind: 'no_stream' }
            : options.hasStreamExists()
              ? { kind: 'stream_exists' }
              : { kind: 'any' };
      }
      const message = req.getProposedMessage();
      if (message !== undefined) {
        const meta = message.getMetadataMap();
        proposed.push({
          id: message.getId()?.getString() ?? '',
          type: meta.get('type') ?? '',
          contentType: meta.get('content-type') ?? '',
          data: bytes(message.getData()),
          metadata: bytes(message.getCustomMetadata()),
        });
      }
    });
    call.on('end', () => callback(null, this.appendResponse(streamId, expected, proposed)));
  }

  private appendResponse(streamId: string, expected: Expected, proposed: readonly Proposed[]): InstanceType<typeof AppendResp> {
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length - 1;
    const response = new AppendResp();
    const success = new AppendResp.Success();

    // Idempotent replay: answered with the revision but no position (commit position -1).
    const first = proposed[0];
    const start = first === undefined ? -1 : stream.findIndex((e) => e.id === first.id);
    if (start >= 0 && proposed.every((p, i) => stream[start + i]?.id === p.id)) {
      success.setCurrentRevision(String(start + proposed.length - 1));
      success.setNoPosition(new Empty());
      return response.setSuccess(success);
    }

    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current < 0) ||
      (expected.kind === 'stream_exists' && current >= 0) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!ok) {
      const wrong = new AppendResp.WrongExpectedVersion();
      if (current < 0) wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(String(current));
      if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision));
      return response.setWrongExpectedVersion(wrong);
    }

    const written = this.write(streamId, proposed);
    const last = written[written.length - 1];
    if (last === undefined) {
      if (current < 0) success.setNoStream(new Empty());
      else success.setCurrentRevision(String(current));
      success.setNoPosition(new Empty());
      return response.setSuccess(success);
    }
    success.setCurrentRevision(String(last.revision));
    // As EventStoreDB: the position of the transaction's last prepare, i.e. of the last event.
    const position = new AppendResp.Position();
    position.setCommitPosition(String(last.position));
    position.setPreparePosition(String(last.position));
    success.setPosition(position);
    return response.setSuccess(success);
  }

  private write(streamId: string, proposed: readonly Proposed[]): StoredEvent[] {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const written = proposed.map((p) => {
      const event: StoredEvent = { ...p, streamId, revision: stream.length, position: this.nextPosition };
      this.nextPosition += BigInt(100 + p.data.length + p.metadata.length);
      stream.push(event);
      this.log.push(event);
      return event;
    });
    for (const e of written) {
      for (const s of this.live) {
        if (this.held === undefined) s.deliver(e);
        else this.held.push(() => s.deliver(e));
      }
    }
    return written;
  }

  private read(call: grpc.ServerWritableStream<ReadReq, InstanceType<typeof ReadResp>>): void {
    const options = call.request.getOptions();
    if (options === undefined) {
      call.end();
      return;
    }
    if (options.hasSubscription()) {
      this.calls.subscriptions += 1;
      this.subscribe(call, options);
      return;
    }
    const count = Number(options.getCount());
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const streamOptions = options.getStream();
    if (streamOptions !== undefined) {
      this.calls.streamReads += 1;
      const streamId = text(streamOptions.getStreamIdentifier()?.getStreamName() ?? '');
      const stream = this.streams.get(streamId);
      if (stream === undefined) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(streamId)));
        call.write(new ReadResp().setStreamNotFound(notFound));
        call.end();
        return;
      }
      const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : streamOptions.hasEnd() ? stream.length - 1 : 0;
      const events = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
      for (const e of events.slice(0, count)) call.write(this.eventResponse(e, false));
      call.end();
      return;
    }
    this.calls.allReads += 1;
    const all = options.getAll();
    const at = all?.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
    const events = backwards
      ? this.log.filter((e) => (all?.hasEnd() ?? false) || at === undefined || e.position < at).reverse()
      : this.log.filter((e) => (all?.hasStart() ?? false) || at === undefined || e.position >= at);
    for (const e of events.slice(0, count)) call.write(this.eventResponse(e, true));
    call.end();
  }

  private subscribe(call: grpc.ServerWritableStream<ReadReq, InstanceType<typeof ReadResp>>, options: ReadOptions): void {
    const all = options.getAll();
    const after = all?.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
    const matches = this.filterOf(options);
    if (this.refuseSubscriptions) {
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscriptions refused (fake)' });
      return;
    }
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    call.write(new ReadResp().setConfirmation(confirmation));
    let dropped = false;
    const send = (e: StoredEvent): void => {
      if (!dropped && matches(e)) call.write(this.eventResponse(e, true));
    };
    for (const e of this.log) if (after === undefined || e.position > after) send(e);
    const subscriber: LiveSubscriber = {
      deliver: send,
      drop: () => {
        dropped = true;
        this.live.delete(subscriber);
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped (fake)' });
      },
    };
    this.live.add(subscriber);
    call.on('cancelled', () => this.live.delete(subscriber));
    call.on('close', () => this.live.delete(subscriber));
  }

  private filterOf(options: ReadOptions): (e: StoredEvent) => boolean {
    const filter = options.getFilter();
    if (filter === undefined) return () => true;
    const onStream = filter.getStreamIdentifier();
    const expression = onStream ?? filter.getEventType();
    if (expression === undefined) return () => true;
    const field = (e: StoredEvent): string => (onStream !== undefined ? e.streamId : e.type);
    const prefixes = expression.getPrefixList();
    const regex = expression.getRegex() === '' ? undefined : new RegExp(expression.getRegex());
    return (e) => (regex !== undefined ? regex.test(field(e)) : prefixes.some((p) => field(e).startsWith(p)));
  }

  private eventResponse(e: StoredEvent, withCommitPosition: boolean): InstanceType<typeof ReadResp> {
    const recorded = new ReadResp.ReadEvent.RecordedEvent();
    recorded.setId(new UUID().setString(e.id));
    recorded.setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(e.streamId)));
    recorded.setStreamRevision(String(e.revision));
    recorded.setCommitPosition(String(e.position));
    recorded.setPreparePosition(String(e.position));
    recorded
      .getMetadataMap()
      .set('type', e.type)
      .set('content-type', e.contentType)
      .set('created', String(Date.now() * 10_000));
    recorded.setData(e.data);
    recorded.setCustomMetadata(e.metadata);
    const event = new ReadResp.ReadEvent().setEvent(recorded);
    if (withCommitPosition) event.setCommitPosition(String(e.position));
    else event.setNoPosition(new Empty());
    return new ReadResp().setEvent(event);
  }
}
