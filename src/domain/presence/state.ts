import { Map as IMap } from 'immutable';

export interface PresenceState {
  readonly online: boolean;
  /** connection id → node id, across every tab and node. */
  readonly connections: IMap<string, string>;
  readonly lastActivity: string | undefined;
}

export const initialPresence: PresenceState = { online: false, connections: IMap(), lastActivity: undefined };
