import { ChatClient, type ServerFrame } from '../../sdk/src/index.js';
import { ChatList } from './chat-list.js';
import { Conversation } from './conversation.js';
import { byId, guarded, onSubmit } from './dom.js';
import { Invitations } from './invitations.js';
import { Notifications } from './notifications.js';
import { PresenceBoard } from './presence-board.js';
import { checkPastedToken, mintToken, tokenGetter, type Credentials } from './session.js';

const NOTIFYING: ReadonlySet<ServerFrame['action']> = new Set(['game_invite', 'new_friend', 'new_tournament']);

/** Connects with that token, then shows the chats and keeps them live. */
const start = async (credentials: Credentials, token: string): Promise<void> => {
  const client = new ChatClient({ baseUrl: location.origin, getToken: tokenGetter(credentials, token) });
  const presence = new PresenceBoard();
  const invitations = new Invitations(() => conversation.render());
  // `chats` is read only when a chat is opened, after both exist.
  const conversation = new Conversation(client, presence, invitations, () => chats.reloadSoon());
  const chats = new ChatList(client, presence, (username) => conversation.open(username));
  const notifications = new Notifications(client);

  client.on('state', (state) => {
    const node = byId('connection');
    node.textContent = state;
    node.className = `state ${state}`;
  });
  client.on('ready', (r) => {
    byId('me').textContent = r.username;
  });
  client.on(
    'resync',
    guarded(async () => void (await Promise.all([chats.reload(), conversation.reload(), notifications.reload()]))),
  );
  // The SDK keeps who is online (batched presence: a state per socket, then diffs).
  client.on('presence', (users) => {
    presence.replace(users);
    chats.render();
    conversation.render();
  });
  client.on('frame', (frame) => {
    switch (frame.action) {
      case 'new_message':
        conversation.received(frame.data.chat_id, frame.data);
        chats.reloadSoon();
        break;
      case 'chat_like_update':
        conversation.liked(frame.data.chat_id, frame.data.id, frame.data.is_liked);
        break;
      // The other side of actions, from any tab of either user.
      case 'chat_read_update':
        conversation.readUpTo(frame.data.chat_id, frame.data.username, frame.data.id);
        chats.reloadSoon();
        break;
      case 'block_update':
        conversation.blockChanged(frame.data.username, frame.data.is_blocked_user, frame.data.is_blocked_by_user);
        break;
      case 'notification_read':
        notifications.read(frame.data.ids);
        if (invitations.apply(frame)) conversation.render();
        break;
      default:
        if (invitations.apply(frame)) conversation.render();
    }
    if (NOTIFYING.has(frame.action)) notifications.reloadSoon();
  });

  onSubmit(byId<HTMLFormElement>('open-chat'), async () => {
    const input = byId<HTMLInputElement>('peer');
    await conversation.open(input.value.trim());
    input.value = '';
  });
  onSubmit(byId<HTMLFormElement>('send-form'), async () => {
    const input = byId<HTMLInputElement>('message');
    const content = input.value;
    input.value = '';
    await conversation.send(content);
  });
  const clicks: ReadonlyArray<[string, () => Promise<void>]> = [
    ['block', () => conversation.block(true)],
    ['unblock', () => conversation.block(false)],
    ['invite', () => conversation.invite()],
    ['cancel-invite', () => conversation.cancelInvite()],
    ['accept-invite', () => conversation.answerInvite(true)],
    ['decline-invite', () => conversation.answerInvite(false)],
  ];
  for (const [id, action] of clicks) byId(id).addEventListener('click', guarded(action));

  await client.connect();
  byId('login').hidden = true;
  byId('app').hidden = false;
  await Promise.all([chats.reload(), notifications.reload()]);
};

onSubmit(byId<HTMLFormElement>('login-form'), async () => {
  const username = byId<HTMLInputElement>('username').value.trim();
  await start({ kind: 'username', username }, await mintToken(username));
});
onSubmit(byId<HTMLFormElement>('token-form'), async () => {
  const token = checkPastedToken(byId<HTMLTextAreaElement>('token').value);
  await start({ kind: 'token', token }, token);
});
