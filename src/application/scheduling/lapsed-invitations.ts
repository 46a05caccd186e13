import type { CommandDeps } from '../commands/context.js';
import { endGame, expireInvitation } from '../commands/invites.js';
import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { ms } from '../../domain/shared/time.js';

const PREFIX = 'invite-';
const PAGE = 4096;

/**
 * Safety net for follow-up jobs that never ran (lost to a store failure, or scheduled by a node
 * that died between the append and the job's save): invitations past `expiresAt` are expired and
 * games past `endsAt` ended. There is no board to look at any more, so it follows the invitation
 * streams' events through the log (filtered by the store) and keeps the open ones: derived from
 * events, on each node its own, and harmless to repeat (the commands decide nothing twice).
 */
export class LapsedInvitations {
  private after: Position | undefined;
  /** inviteId → when it lapses, and its game once accepted. */
  private readonly open = new Map<string, { readonly due: number; readonly gameId?: string }>();

  constructor(
    private readonly deps: CommandDeps,
    private readonly log: Pick<EventStore, 'readAll'>,
  ) {}

  /**
   * Closes what lapsed; resolves with how many it closed. The first call reads every invitation
   * event in the log: `touch` keeps a job's lock alive meanwhile.
   */
  async close(correlationId: string, touch: () => Promise<void> = async () => {}): Promise<number> {
    await this.catchUp(touch);
    const now = this.deps.now().getTime();
    let closed = 0;
    for (const [inviteId, o] of [...this.open]) {
      if (o.due > now) continue;
      if (o.gameId === undefined) await expireInvitation(this.deps, inviteId, correlationId);
      else await endGame(this.deps, inviteId, o.gameId, correlationId);
      closed += 1;
    }
    return closed;
  }

  private async catchUp(touch: () => Promise<void>): Promise<void> {
    for (;;) {
      await touch();
      const page = await this.log.readAll({
        ...(this.after === undefined ? {} : { after: this.after }),
        filter: { streamPrefixes: [PREFIX], eventTypes: ['InvitationSent', 'InvitationAccepted', 'InvitationDeclined', 'InvitationCanceled', 'GameEnded'] },
        maxCount: PAGE,
      });
      for (const recorded of page) {
        this.after = recorded.position;
        const e = fromRecorded(recorded);
        const inviteId = recorded.streamId.slice(PREFIX.length);
        if (e?.type === 'InvitationSent') this.open.set(inviteId, { due: ms(e.data.expiresAt) });
        else if (e?.type === 'InvitationAccepted') this.open.set(inviteId, { due: ms(e.data.endsAt), gameId: e.data.gameId });
        else this.open.delete(inviteId);
      }
      if (page.length < PAGE) return;
    }
  }
}
