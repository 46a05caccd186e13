import { isRefusal, type Refusal } from '../../domain/shared/decision.js';
import * as chats from '../../application/commands/chats.js';
import type { Actor, CommandDeps } from '../../application/commands/context.js';
import type { Position } from '../../application/ports/event-store.js';
import * as invites from '../../application/commands/invites.js';
import * as notifications from '../../application/commands/notifications.js';
import * as presence from '../../application/commands/presence.js';
import { chatGroup } from '../../application/broadcast/frames.js';
import type { ClientAction } from './action-codecs.js';
import type { StoredMessage } from './answers.js';
import type { ClientSocket } from './client-socket.js';
import type { Hub } from './hub.js';

/** What the action stored (its last event's position; for `new_message`, the message), or its refusal. */
type Result = Refusal | { readonly _tag: 'Ok'; readonly position: Position | undefined; readonly message?: StoredMessage };

const ownUsername = (actor: Actor, username: string): Refusal | undefined =>
  username === actor.username ? undefined : { _tag: 'Refusal', code: 'forbidden', msg: 'username must be your own' };

/** Runs one decoded action as a command. Each action has one line here, named as on the wire. */
export const dispatch = async (deps: CommandDeps, hub: Hub, socket: ClientSocket, a: ClientAction, correlationId: string): Promise<Result> => {
  const actor = socket.actor;
  switch (a.action) {
    case 'new_message': {
      const clientMsgId = a.data.client_msg_id;
      const outcome = await chats.sendMessage(
        deps,
        actor,
        { chatId: a.data.chat_id, content: a.data.content, timestamp: a.data.timestamp, ...(clientMsgId === undefined ? {} : { clientMsgId }) },
        correlationId,
      );
      if (isRefusal(outcome)) return outcome;
      if (outcome.duplicateOf === undefined) return { ...outcome, message: { id: outcome.messageId, chat_id: a.data.chat_id, date: outcome.date } };
      // A repeated client_msg_id stored nothing: the sender is acknowledged with the message stored the first time.
      const original = await deps.queries.message(a.data.chat_id, outcome.duplicateOf);
      if (original === undefined || clientMsgId === undefined) return outcome;
      socket.reply({ action: 'new_message', data: { chat_id: a.data.chat_id, ...original, timestamp: a.data.timestamp, client_msg_id: clientMsgId } });
      return { ...outcome, message: { id: original.id, chat_id: a.data.chat_id, date: original.date } };
    }
    case 'like_message':
    case 'unlike_message':
      return chats.setLike(deps, actor, { chatId: a.data.chat_id, messageId: a.data.id, like: a.action === 'like_message' }, correlationId);
    case 'read_message':
      return chats.readMessage(deps, actor, { chatId: a.data.chat_id, messageId: a.data.id }, correlationId);
    case 'game_invite':
      return invites.sendInvitation(deps, actor, { username: a.data.username, clientId: a.data.client_id, options: a.data.options ?? {} }, correlationId);
    case 'reply_game_invite':
      return invites.replyInvitation(deps, actor, { username: a.data.username, accept: a.data.accept }, correlationId);
    case 'game_accepted':
    case 'game_declined':
      return invites.replyInvitation(deps, actor, { username: a.data.username, accept: a.action === 'game_accepted' }, correlationId);
    case 'cancel_game_invite':
      return invites.cancelInvitation(deps, actor, a.data.username, correlationId);
    case 'add_new_friend':
      return notifications.addFriend(deps, actor, { senderId: a.data.sender_id, receiverId: a.data.receiver_id }, correlationId);
    case 'new_tournament':
      return notifications.announceTournament(
        deps,
        actor,
        { tournamentId: a.data.tournament_id, name: a.data.tournament_name, organizerId: a.data.organizer_id },
        correlationId,
      );
    case 'read_notification':
      return notifications.readNotification(deps, actor, a.data.id, correlationId);
    case 'notification':
      return notifications.sendEphemeralNotification(deps, actor, { message: a.data.message, type: a.data.type }, correlationId);
    case 'user_online':
      return ownUsername(actor, a.data.username) ?? presence.announceOnline(deps, actor, correlationId);
    // Going offline withdraws the user's invitations: a reactor's follow-up (application/reactors).
    case 'user_offline':
      return ownUsername(actor, a.data.username) ?? presence.announceOffline(deps, actor, correlationId);
    case 'join_chat': {
      const outcome = await chats.checkMembership(deps, actor, a.data.chat_id);
      if (isRefusal(outcome)) return outcome;
      hub.join(socket, chatGroup(a.data.chat_id));
      socket.reply({ action: 'join_chat', data: { chat_id: a.data.chat_id } });
      return outcome;
    }
    case 'room_created':
      return chats.announceRoom(deps, actor, a.data.chat_id, correlationId);
  }
};
