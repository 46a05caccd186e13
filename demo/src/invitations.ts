import type { ServerFrame } from '../../sdk/src/index.js';

/** Pong invitations by peer: who invited me, whom I invited, and the last thing that happened. */
export class Invitations {
  private readonly incoming = new Set<string>();
  private readonly outgoing = new Set<string>();
  private readonly status = new Map<string, string>();

  /** Applies a frame; true when it was about an invitation. */
  apply(frame: ServerFrame): boolean {
    switch (frame.action) {
      case 'game_invite':
        this.incoming.add(frame.data.username);
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
        return true;
      case 'game_declined':
        this.outgoing.delete(frame.data.username);
        this.status.set(frame.data.username, `${frame.data.username} declined`);
        return true;
      case 'game_invite_canceled':
        this.incoming.delete(frame.data.username);
        this.status.set(frame.data.username, `${frame.data.username} canceled the invitation`);
        return true;
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

  view(peer: string): { readonly incoming: boolean; readonly outgoing: boolean; readonly status: string } {
    return { incoming: this.incoming.has(peer), outgoing: this.outgoing.has(peer), status: this.status.get(peer) ?? '' };
  }
}
