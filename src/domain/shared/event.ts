import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { DomainEvent, EventData } from './decider.js';
import type { JsonObject } from './json.js';

/** Turns one version's data into the next version's. */
export type Upcaster = (data: JsonObject) => JsonObject;

/**
 * A personal field of an event: a string of its data that belongs to the user its `owner` field
 * names, stored sealed with that user's key and forgotten when the user is erased. Once erased
 * it reads as empty, or, for a username (which must stay a username: REST paths name users by
 * it), as the user's alias.
 */
export interface PersonalField {
  readonly field: string;
  readonly owner: string;
  readonly erasedAs: 'empty' | 'alias';
}

/** The required string fields of an event's data: what can be personal, and what can name its owner. */
type StringField<D> = { [K in keyof D]-?: D[K] extends string ? K : never }[keyof D] & string;

/** Declared beside the codec: `{ content: { owner: 'senderId' } }` (the field, and the field naming whose it is). */
export type PersonalFields<D> = { readonly [K in StringField<D>]?: { readonly owner: StringField<D>; readonly erasedAs?: PersonalField['erasedAs'] } };

/**
 * An event type, declared once: its name, the codec of its data (the domain's type is derived
 * from it), its schema version, and how each older version's data becomes the next. Events are
 * checked against it before they are stored and decoded by it when they are read.
 */
export interface EventSpec<out E extends DomainEvent = DomainEvent> {
  readonly type: E['type'];
  /** The version stored with new events (`metadata.schemaVersion`). */
  readonly version: number;
  /** Stored data of `version` (older versions upcast first) → the event, or why it does not decode. */
  decode(version: number, data: JsonObject): Either<string, E>;
  /** Whether an event about to be stored has this type and its declared shape. */
  accepts(event: DomainEvent): event is E;
  /** Its personal fields (top-level fields of its data, in every version), sealed when stored. */
  readonly personal: readonly PersonalField[];
}

export type EventOf<S> = S extends EventSpec<infer E> ? E : never;

export interface EventHistory {
  /** The current version; 1 when the data never changed shape. */
  readonly version: number;
  /** `upcasters[v]` turns version v data into version v + 1, for every v below `version`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

/** How an event is declared beyond its codec: its history (when its data changed shape) and its personal fields. */
export type EventOptions<D> = Partial<EventHistory> & { readonly personal?: PersonalFields<D> };

const personalFieldsOf = <D>(declared: PersonalFields<D> | undefined): readonly PersonalField[] => {
  const entries: [string, { readonly owner: string; readonly erasedAs?: PersonalField['erasedAs'] } | undefined][] = Object.entries(declared ?? {});
  return entries.flatMap(([field, d]) => (d === undefined ? [] : [{ field, owner: d.owner, erasedAs: d.erasedAs ?? 'empty' }]));
};

export const defineEvent = <T extends string, D extends EventData>(
  type: T,
  codec: t.Type<D, unknown, unknown>,
  options: EventOptions<D> = {},
): EventSpec<DomainEvent<T, D>> => {
  const history: EventHistory = { version: options.version ?? 1, upcasters: options.upcasters ?? {} };
  return {
    type,
    version: history.version,
    decode: (version, data) => {
      let current = data;
      for (let v = version; v < history.version; v++) {
        const step = history.upcasters[v];
        if (step === undefined) return left(`no upcaster for ${type} v${v}`);
        current = step(current);
      }
      const decoded = codec.decode(current);
      return isLeft(decoded) ? left(PathReporter.report(decoded).join('; ')) : right({ type, data: decoded.right });
    },
    accepts: (event): event is DomainEvent<T, D> => event.type === type && codec.is(event.data),
    personal: personalFieldsOf(options.personal),
  };
};

/** The events of one decider (or of the whole domain), looked up by type. */
export class EventSet<E extends DomainEvent> {
  private readonly byType: ReadonlyMap<string, EventSpec<E>>;

  private constructor(readonly specs: readonly EventSpec<E>[]) {
    this.byType = new Map(specs.map((s) => [s.type, s]));
  }

  /** `EventSet.of(A).and(B).and(C)`: its event type is the union of theirs, built one spec at a time so the checker can follow it. */
  static of<E extends DomainEvent>(spec: EventSpec<E>): EventSet<E> {
    return new EventSet([spec]);
  }

  and<F extends DomainEvent>(spec: EventSpec<F>): EventSet<E | F> {
    const specs: readonly EventSpec<E | F>[] = [...this.specs, spec];
    return new EventSet(specs);
  }

  /** Both sets' events (the whole domain's set is made of the deciders'). */
  union<F extends DomainEvent>(other: EventSet<F>): EventSet<E | F> {
    const specs: readonly EventSpec<E | F>[] = [...this.specs, ...other.specs];
    return new EventSet(specs);
  }

  get types(): readonly E['type'][] {
    return this.specs.map((s) => s.type);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** undefined for a type outside the set (a foreign event in a shared store); a left for data that does not decode. */
  decode(type: string, version: number, data: JsonObject): Either<string, E> | undefined {
    return this.byType.get(type)?.decode(version, data);
  }

  spec(type: string): EventSpec<E> | undefined {
    return this.byType.get(type);
  }
}
