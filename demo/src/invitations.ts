import type { ServerFrame } from '../../sdk/src/index.js';

const CANCELED = 'The invitation was canceled';

/**
 * Pong invitations by peer: who invited me, whom I invited, the game I am in, and the last thing
 * that happened. Frames reach every tab of mine, so each tab follows the same state: an
 * invitation answered in another tab ends here with that tab's `notification_read`.
 */
export class Invitations {
  private readonly incoming = new Set<string>();
  private readonly outgoing = new Set<string>();
  private readonly status = new Map<string, string>();
  /** Invitations to me by id (their notification's id), to their inviter. */
  private readonly invitedBy = new Map<string, string>();
  private game: { readonly opponent: string; readonly until: number } | undefined;
  private gameOver: ReturnType<typeof setTimeout> | undefined;

  /** `changed`: something shown changed without a frame (a game's time ran out). */
  constructor(private readonly changed: () => void) {}

  /** Applies a frame; true when it was about an invitation. */
  apply(frame: ServerFrame): boolean {
    switch (frame.action) {
      case 'game_invite':
        this.incoming.add(frame.data.username);
        this.invitedBy.set(frame.data.id, frame.data.username);
        this.status.set(frame.data.username, `${frame.data.username} invites you to Pong`);
        return true;
      case 'game_accepted':
        this.outgoing.delete(frame.data.username);
        this.status.set(frame.data.username, `${frame.data.username} accepted: game ${frame.data.game_id}`);
        return true;
      case 'game_found':
        this.incoming.delete(frame.data.opponent);
        this.outgoing.delete(frame.data.opponent);
        this.status.set(frame.data.opponent, `Game ${frame.data.game_id} against ${frame.data.opponent}`);
        this.startGame(frame.data.opponent, frame.data.options.time_limit);
        return true;
      case 'game_declined':
        this.outgoing.delete(frame.data.username);
        this.status.set(frame.data.username, `${frame.data.username} declined`);
        return true;
      case 'game_invite_canceled': {
        const u = frame.data.username;
        if (this.incoming.delete(u)) this.status.set(u, frame.data.message === CANCELED ? `${u} canceled the invitation` : `${frame.data.message} (from ${u})`);
        else if (this.outgoing.delete(u)) this.status.set(u, frame.data.message === CANCELED ? 'Invitation canceled' : `${frame.data.message} (to ${u})`);
        return true;
      }
      case 'notification_read': {
        // Accepted and canceled invitations came with their own frames before this one; one
        // still pending here was declined, in another tab of mine.
        let changed = false;
        for (const id of frame.data.ids) {
          const peer = this.invitedBy.get(id);
          if (peer === undefined) continue;
          this.invitedBy.delete(id);
          if (this.incoming.delete(peer)) {
            this.status.set(peer, 'Declined');
            changed = true;
          }
        }
        return changed;
      }
      default:
        return false;
    }
  }

  sent(peer: string): void {
    this.outgoing.add(peer);
    this.status.set(peer, `Invitation sent to ${peer}`);
  }

  canceled(peer: string): void {
    this.outgoing.delete(peer);
    this.status.set(peer, 'Invitation canceled');
  }

  answered(peer: string, accepted: boolean): void {
    this.incoming.delete(peer);
    this.status.set(peer, accepted ? 'Accepted' : 'Declined');
  }

  view(peer: string): {
    readonly incoming: boolean;
    readonly outgoing: boolean;
    /** In a game, or with an invitation pending with anyone: the server would refuse another. */
    readonly engaged: boolean;
    readonly status: string;
  } {
    const playing = this.game !== undefined && this.game.until > Date.now() ? this.game : undefined;
    const status = this.status.get(peer) ?? (playing === undefined ? '' : `In a game against ${playing.opponent}`);
    return {
      incoming: this.incoming.has(peer),
      outgoing: this.outgoing.has(peer),
      engaged: playing !== undefined || this.incoming.size > 0 || this.outgoing.size > 0,
      status,
    };
  }

  /** A game lasts its time limit: no invitation meanwhile. */
  private startGame(opponent: string, minutes: number): void {
    const ms = minutes * 60_000;
    this.game = { opponent, until: Date.now() + ms };
    clearTimeout(this.gameOver);
    this.gameOver = setTimeout(() => {
      this.game = undefined;
      this.status.delete(opponent);
      this.changed();
    }, ms);
  }
}
