import type { EventAs, EventType } from '../domain/events.js';
import { blocks } from './blocks/feature.js';
import type { Delivery, FrameContext } from './broadcast/delivery.js';
import { chat } from './chat/feature.js';
import { invitations } from './invitations/feature.js';
import { likesAndReads } from './likes-and-reads/feature.js';
import { notifications } from './notifications/feature.js';
import type { ReadModelChange } from './ports/read-model.js';
import { presence } from './presence/feature.js';
import type { ActionContext, ActionHandlers, ActionResult, Descriptions, FrameRules, ProjectionMeta, Projections } from './shared/feature.js';
import { users } from './users/feature.js';
import type { ActionName, ActionOf } from './wire/client-actions.js';

/**
 * The features' declarations, joined: each action handled by one feature, each event projected,
 * framed and described by the feature it belongs to. The types check that every action has a
 * handler and every event a description; a test checks that no two features declare the same.
 */
export const FEATURES = { users, chat, likesAndReads, invitations, presence, notifications, blocks };

const actions: ActionHandlers = {
  ...chat.actions,
  ...likesAndReads.actions,
  ...invitations.actions,
  ...presence.actions,
  ...notifications.actions,
};

const projections: Projections = {
  ...users.projections,
  ...chat.projections,
  ...likesAndReads.projections,
  ...invitations.projections,
  ...presence.projections,
  ...notifications.projections,
  ...blocks.projections,
};

const frames: FrameRules = {
  ...chat.frames,
  ...likesAndReads.frames,
  ...invitations.frames,
  ...presence.frames,
  ...notifications.frames,
  ...blocks.frames,
};

const descriptions: Descriptions = {
  ...users.describe,
  ...chat.describe,
  ...likesAndReads.describe,
  ...invitations.describe,
  ...presence.describe,
  ...notifications.describe,
  ...blocks.describe,
};

/** Runs a decoded action by the feature that handles it. */
export const runAction = <A extends ActionName>(ctx: ActionContext, action: ActionOf<A>): Promise<ActionResult> => actions[action.action](ctx, action.data);

/** An event's read-model changes (none for events the read models do not show). */
export const projectEvent = <T extends EventType>(event: EventAs<T>, meta: ProjectionMeta): readonly ReadModelChange[] => {
  const project = projections[event.type];
  return project === undefined ? [] : project(event, meta);
};

/** The user ids whose profiles an event's frames show. */
export const profilesOf = <T extends EventType>(event: EventAs<T>): readonly string[] => frames[event.type]?.profiles?.(event) ?? [];

/** An event's deliveries: frames to groups, sockets joining groups. */
export const deliveriesOf = <T extends EventType>(event: EventAs<T>, context: FrameContext): readonly Delivery[] =>
  frames[event.type]?.deliveries(event, context) ?? [];

/** An event in one line, for audit timelines. */
export const describeEvent = <T extends EventType>(event: EventAs<T>, u: (userId: string) => string): string => descriptions[event.type](event, u);
