import type { EventOfType, EventType } from '../../domain/events.js';
import type { Outcome } from '../../domain/shared/decision.js';
import type { Delivery, FrameContext } from '../broadcast/delivery.js';
import type { Position } from '../ports/event-store.js';
import type { ReadModelChange } from '../ports/read-model.js';
import type { ActionData, ActionName } from '../wire/client-actions.js';
import type { ServerFrame } from '../wire/server-frames.js';
import type { Actor, CommandDeps } from './deps.js';

/**
 * What a feature folder declares about its actions and events. The gateway's dispatch, the
 * read models' projection, the broadcaster and the audit each take the union of every feature's
 * (src/application/features.ts), so an action or an event is handled in one folder only.
 */

/** The socket an action came through, for the few actions that act on it (`join_chat`, a repeated message's frame). */
export interface Session {
  joinChat(chatId: string): void;
  reply(frame: ServerFrame): void;
}

export interface ActionContext {
  readonly deps: CommandDeps;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly session: Session;
}

/** What an `ack` of `new_message` says of the stored message (the original one for a repeated `client_msg_id`). */
export interface StoredMessage {
  readonly id: string;
  readonly chat_id: string;
  readonly date: string;
}

/** A taken action: where its last stored event is (none when it stored nothing); for `new_message`, the message. */
export type ActionResult = Outcome<{ readonly position: Position | undefined; readonly message?: StoredMessage }>;

export type ActionHandler<A extends ActionName> = (ctx: ActionContext, data: ActionData<A>) => Promise<ActionResult>;
export type ActionHandlers = { readonly [A in ActionName]: ActionHandler<A> };

export interface ProjectionMeta {
  readonly eventId: string;
  readonly position: Position;
  /** One of the event's personal fields was erased (it reads as empty, or as its owner's alias). */
  readonly erased: boolean;
}

/** An event's read-model changes: a pure function, so a live run and a rebuild cannot differ. */
export type Projections = { readonly [T in EventType]?: (event: EventOfType<T>, meta: ProjectionMeta) => readonly ReadModelChange[] };

/** An event's frames: the users whose profiles it shows, and its deliveries given them. */
export interface FrameRule<T extends EventType> {
  readonly profiles?: (event: EventOfType<T>) => readonly string[];
  readonly deliveries: (event: EventOfType<T>, context: FrameContext) => readonly Delivery[];
}
export type FrameRules = { readonly [T in EventType]?: FrameRule<T> };

/** An event in one line for audit timelines; `u` shows a user id as its username. */
export type Descriptions = { readonly [T in EventType]: (event: EventOfType<T>, u: (userId: string) => string) => string };

export interface Feature {
  readonly actions?: Partial<ActionHandlers>;
  readonly projections?: Projections;
  readonly frames?: FrameRules;
  readonly describe?: Partial<Descriptions>;
}
