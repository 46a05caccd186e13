/**
 * Follow-up work that must happen at a given time whatever node is up then: the adapter persists
 * it (agenda) so it survives restarts and runs once across nodes.
 *
 * Never rejects: the command that asks for a follow-up has already stored its events, and a
 * follow-up lost to a storage failure is caught by the presence sweep's safety net.
 */
export interface Scheduler {
  scheduleInvitationExpiry(inviteId: string, at: Date): Promise<void>;
  scheduleGameEnd(gameId: string, at: Date): Promise<void>;
}
