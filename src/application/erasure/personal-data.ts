import type { EventData } from '../../domain/shared/decider.js';
import type { EventSet, PersonalField } from '../../domain/shared/event.js';
import type { DomainEvent } from '../../domain/shared/decider.js';
import type { Json, JsonObject } from '../../domain/shared/json.js';
import type { RecordedEvent } from '../ports/event-store.js';
import { isSealed, namedKeyId, type FieldPlace } from './field-cipher.js';
import type { KeyRing } from './key-ring.js';

/** A stored event's data with its personal fields opened; `erased` when one of them could not be (its key was destroyed). */
export interface OpenedData {
  readonly data: JsonObject;
  readonly erased: boolean;
}

const placeOf = (eventId: string, field: PersonalField): FieldPlace => ({ eventId, path: `data.${field.field}` });

const ownerOf = (data: Readonly<Record<string, unknown>>, field: PersonalField, eventId: string): string => {
  const owner = data[field.owner];
  if (typeof owner !== 'string') throw new TypeError(`event ${eventId}: ${field.owner}, the owner of ${field.field}, is not a string`);
  return owner;
};

/**
 * Personal data on its way into and out of the log: the declared personal fields of each event
 * (`defineEvent`'s `personal`) sealed with their owner's key before the event is stored
 * (`toNewEvent`), and opened where stored events are decoded (`decodeStored`), through one key
 * ring per process. A field whose key was destroyed reads as erased: empty, or the owner's alias
 * for a username. A field that is not sealed is a fault: logs written before erasure existed are
 * migrated first (docs/ERASURE.md).
 */
export class PersonalData {
  private readonly forgetting: ((userId: string) => void)[] = [];

  constructor(
    private readonly ring: KeyRing,
    /** The username an erased user is shown with (`UsernameIndex.aliasOf`). */
    readonly aliasOf: (userId: string) => string,
  ) {}

  /** The data with every personal field sealed under its owner's current key (created on first use). */
  async seal(fields: readonly PersonalField[], data: EventData, eventId: string): Promise<EventData> {
    if (fields.length === 0) return data;
    await this.ring.loadCurrent(fields.map((f) => ownerOf(data, f, eventId)));
    const sealed: Record<string, unknown> = { ...data };
    for (const f of fields) {
      const value = data[f.field];
      if (typeof value !== 'string') throw new TypeError(`event ${eventId}: the personal field ${f.field} is not a string`);
      sealed[f.field] = this.ring.seal(ownerOf(data, f, eventId), value, placeOf(eventId, f));
    }
    return sealed;
  }

  /** Loads, in one key-store call at most, the keys the personal fields of these stored events need: call before `open`, in the same continuation. */
  async prepare<E extends DomainEvent>(events: EventSet<E>, records: readonly RecordedEvent[]): Promise<void> {
    let keyIds: Set<string> | undefined;
    for (const r of records) {
      const fields = events.spec(r.type)?.personal;
      if (fields === undefined) continue;
      for (const f of fields) {
        const value = r.data[f.field];
        const keyId = typeof value === 'string' ? namedKeyId(value) : undefined;
        if (keyId !== undefined) (keyIds ??= new Set()).add(keyId);
      }
    }
    if (keyIds !== undefined) await this.ring.load(keyIds);
  }

  /**
   * The stored data with its personal fields opened (their keys `prepare`d). Throws when one is
   * not sealed, was altered, or was moved from another event or field.
   */
  open(fields: readonly PersonalField[], data: JsonObject, eventId: string): OpenedData {
    if (fields.length === 0) return { data, erased: false };
    const opened: Record<string, Json> = { ...data };
    let erased = false;
    for (const f of fields) {
      const value = data[f.field];
      // Absent in an older version of the event: its codec decides.
      if (value === undefined) continue;
      if (typeof value !== 'string') throw new TypeError(`event ${eventId}: the personal field ${f.field} is not a string`);
      const result = this.ring.open(value, placeOf(eventId, f));
      if (result._tag === 'Opened') opened[f.field] = result.value;
      else {
        erased = true;
        opened[f.field] = f.erasedAs === 'alias' ? this.aliasOf(ownerOf(data, f, eventId)) : '';
      }
    }
    return { data: opened, erased };
  }

  /**
   * For data written before erasure existed (an old export being imported, the embedded log being
   * migrated): its personal fields still in clear sealed, those already sealed kept as they are.
   */
  async sealInClear(fields: readonly PersonalField[], data: JsonObject, eventId: string): Promise<{ readonly data: JsonObject; readonly changed: boolean }> {
    const inClear = fields.filter((f) => {
      const value = data[f.field];
      return typeof value === 'string' && !isSealed(value);
    });
    if (inClear.length === 0) return { data, changed: false };
    await this.ring.loadCurrent(inClear.map((f) => ownerOf(data, f, eventId)));
    const sealed: Record<string, Json> = { ...data };
    for (const f of inClear) {
      const value = data[f.field];
      if (typeof value === 'string') sealed[f.field] = this.ring.seal(ownerOf(data, f, eventId), value, placeOf(eventId, f));
    }
    return { data: sealed, changed: true };
  }

  /** Drops every cached key of the user, and whatever else registered with `onForget`: their keys were destroyed (they were erased, on any node). */
  forgetUser(userId: string): void {
    this.ring.forgetUser(userId);
    for (const forget of this.forgetting) forget(userId);
  }

  /** Another cache of this process holding a user's personal data (the aggregates' states), dropped with the user's keys. */
  onForget(forget: (userId: string) => void): void {
    this.forgetting.push(forget);
  }
}
