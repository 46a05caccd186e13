/**
 * Follow-up work that must happen at a given time whatever node is up then: the adapter persists
 * it (agenda) so it survives restarts and runs once across nodes.
 *
 * Asked by reactors (src/application/reactors), after the events are stored. Scheduling the same
 * id again is a no-op; a failure rejects, and the reactor retries from its checkpoint.
 */
export interface Scheduler {
  scheduleInvitationExpiry(inviteId: string, at: Date): Promise<void>;
  /** `inviteId`: the invitation stream the game's end is recorded on. */
  scheduleGameEnd(gameId: string, at: Date, inviteId: string): Promise<void>;
}
