/**
 * Every code a refusal can carry, with what it means: the deciders' business rules and the
 * service's own (flood control, a read side that is behind, a fault). The `error` frame, the
 * REST errors, the documents and the SDK all take their codes from here.
 */
export const REFUSALS = {
  already_announced: 'the tournament was already announced',
  already_in_game: 'either side is in an ongoing game',
  blocked: 'one side blocked the other',
  cannot_befriend_self: 'adding oneself as a friend',
  cannot_block_self: 'blocking oneself',
  cannot_chat_with_self: 'a chat with oneself',
  cannot_invite_self: 'inviting oneself',
  cannot_like_own_message: 'liking or unliking one’s own message',
  forbidden: 'acting in another user’s name (`username`, `sender_id`, `organizer_id` not one’s own)',
  invalid_content: 'message content empty or too long once trimmed',
  invitation_pending: 'either side already has a pending invitation',
  message_not_found: 'no such message in this chat',
  no_pending_invitation: 'no pending invitation to reply to or cancel',
  not_a_member: 'not a member of the chat',
  not_recipient: 'only the recipient may mark a message read',
  notification_not_found: 'no such notification of mine',
  rate_limited: 'too many frames (socket flood control) or invitations (`INVITE_RATE_MAX` per `INVITE_RATE_WINDOW_MS`): slow down',
  user_not_found: 'no such user',
  unavailable: 'the read side has not caught up or a store is unavailable: retry later',
  internal_error: 'the server could not handle the action: retry later',
} as const;

/** The codes a client may be answered with. */
export type PublicRefusalCode = keyof typeof REFUSALS;

/** Refusals a decider answers a workflow with, never a client: the workflow decides again on them. */
export const INTERNAL_REFUSALS = {
  engagement_fact_stale: 'the engagement changed meanwhile: decide again on a fresh fact',
  engagement_unconfirmed: 'an invitation never sent must be abandoned first',
} as const;

export type RefusalCode = PublicRefusalCode | keyof typeof INTERNAL_REFUSALS;

const isPublic = (code: RefusalCode): code is PublicRefusalCode => Object.hasOwn(REFUSALS, code);

/** What a client is told of a refusal: an internal one that escaped its workflow is a retry-later. */
export const publicCode = (code: RefusalCode): PublicRefusalCode => (isPublic(code) ? code : 'unavailable');

/** A decision not to act, as a value: a code from REFUSALS and words for people. */
export interface Refusal {
  readonly _tag: 'Refusal';
  readonly code: RefusalCode;
  readonly msg: string;
}

/** An action taken, with what the caller needs of it. */
export type Ok<T extends object = object> = { readonly _tag: 'Ok' } & T;

/** The one result shape of commands: taken, or refused. */
export type Outcome<T extends object = object> = Ok<T> | Refusal;

export const refuse = (code: RefusalCode, msg: string): Refusal => ({ _tag: 'Refusal', code, msg });

export const ok = <T extends object>(value: T): Ok<T> => ({ _tag: 'Ok', ...value });

export const isRefusal = (x: Outcome<object> | readonly unknown[]): x is Refusal => !Array.isArray(x) && '_tag' in x && x._tag === 'Refusal';
