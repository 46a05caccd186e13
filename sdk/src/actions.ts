import type { ActionName, ClientAction } from '../../src/application/wire/client-actions.js';

/** Client → server actions: the very type the gateway decodes into (types only, no server code at run time). */
export type { ActionName, ClientAction };

export type ActionData<A extends ActionName> = Extract<ClientAction, { readonly action: A }>['data'];

/** The options of `game_invite`: every field optional. */
export type InviteOptions = NonNullable<ActionData<'game_invite'>['options']>;

/** A client frame on the wire: an action and, optionally, the `ref` (1–64 characters) its `ack` or `error` will carry. */
export type ClientFrame = ClientAction & { readonly ref?: string };
