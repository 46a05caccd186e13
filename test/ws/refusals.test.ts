import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { chatBetween, drain, expectStillOpen, newUser, nextError, nextMessage, notPresence, ping, sleep, type User, serviceFixture } from './support.js';

describe('WebSocket gateway: business refusals and the member-only rule', () => {
  const fixture = serviceFixture();

  const tab = async (user: User): Promise<TestClient> => {
    const c = await user.connectReady();
    fixture.keep(c);
    return c;
  };

  /** `action` is refused with `{action:'error', data:{for, code, msg}}` and the socket stays open and served. */
  const expectRefused = async (client: TestClient, action: string, data: object, code: string): Promise<ReceivedFrame> => {
    client.send(action, data);
    const error = await nextError(client, action);
    expect(error.data).to.have.all.keys('for', 'code', 'msg');
    expect(error.data, `${action} refusal`).to.include({ for: action, code });
    expect(error.data['msg']).to.be.a('string').and.not.equal('');
    expect(error.position, 'a refusal is not a stored event').to.equal(undefined);
    await expectStillOpen(client);
    return error;
  };

  const messageFrom = async (sender: TestClient, receiver: TestClient, chatId: string, content: string): Promise<string> => {
    sender.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
    const id = (await nextMessage(receiver, content)).data['id'];
    await nextMessage(sender, content);
    return id as string;
  };

  it('cannot_like_own_message (like and unlike), message_not_found', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    const id = await messageFrom(a, b, chatId, 'mine');
    await expectRefused(a, 'like_message', { id, chat_id: chatId }, 'cannot_like_own_message');
    await expectRefused(a, 'unlike_message', { id, chat_id: chatId }, 'cannot_like_own_message');
    await expectRefused(b, 'like_message', { id: randomUUID(), chat_id: chatId }, 'message_not_found');
    // Nothing reached the other member.
    await ping(b);
    expect((await drain(b)).filter(notPresence)).to.deep.equal([]);
  });

  it('read_message: only the recipient; an unknown message is refused', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    const id = await messageFrom(a, b, chatId, 'read by me?');
    await expectRefused(a, 'read_message', { id, chat_id: chatId }, 'not_recipient');
    await expectRefused(b, 'read_message', { id: randomUUID() }, 'message_not_found');
  });

  it('not_a_member: an outsider can neither post, like, read, join nor announce a chat', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const carol = await newUser(fixture.svc, 'carol');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    const c = await tab(carol);
    const id = await messageFrom(a, b, chatId, 'private');
    const content = 'let me in';
    await expectRefused(c, 'new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() }, 'not_a_member');
    await expectRefused(c, 'like_message', { id, chat_id: chatId }, 'not_a_member');
    await expectRefused(c, 'read_message', { id, chat_id: chatId }, 'not_a_member');
    await expectRefused(c, 'join_chat', { chat_id: chatId }, 'not_a_member');
    await expectRefused(c, 'room_created', { chat_id: chatId }, 'not_a_member');
    // A chat that does not exist.
    await expectRefused(c, 'new_message', { chat_id: randomUUID(), content, timestamp: new Date().toISOString() }, 'not_a_member');
    await expectRefused(a, 'join_chat', { chat_id: randomUUID() }, 'not_a_member');
    // The members saw none of it.
    for (const member of [a, b]) {
      await ping(member);
      expect((await drain(member)).filter(notPresence)).to.deep.equal([]);
    }
    const stored = await alice.http('GET', `/api/chats/${bob.name}/messages`);
    expect(JSON.stringify(stored.body)).to.not.contain(content);
  });

  it('member-only delivery: an outsider receives none of a chat’s frames, even after asking to join it', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const carol = await newUser(fixture.svc, 'carol');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    const c = await tab(carol);
    await expectRefused(c, 'join_chat', { chat_id: chatId }, 'not_a_member');
    const id = await messageFrom(a, b, chatId, 'for bob only');
    b.send('like_message', { id, chat_id: chatId });
    await a.nextAction('chat_like_update');
    b.send('room_created', { chat_id: chatId });
    await a.nextAction('room_created');
    // A short window, then a barrier stored after all of the above.
    await sleep(250);
    await ping(c);
    const leaked = (await drain(c)).filter((f) => JSON.stringify(f).includes(chatId) || notPresence(f));
    expect(leaked).to.deep.equal([]);
  });

  it('game invitations: cannot_invite_self, user_not_found, no_pending_invitation', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    await expectRefused(a, 'game_invite', { username: alice.name, client_id: randomUUID() }, 'cannot_invite_self');
    await expectRefused(a, 'game_invite', { username: 'nobody_at_all', client_id: randomUUID() }, 'user_not_found');
    await expectRefused(a, 'reply_game_invite', { username: bob.name, accept: true }, 'no_pending_invitation');
    await expectRefused(a, 'game_accepted', { username: bob.name }, 'no_pending_invitation');
    await expectRefused(a, 'game_declined', { username: bob.name }, 'no_pending_invitation');
    await expectRefused(a, 'cancel_game_invite', { username: bob.name }, 'no_pending_invitation');
  });

  it('invitation_pending: neither side of a pending invitation can be invited or invite', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const carol = await newUser(fixture.svc, 'carol');
    const a = await tab(alice);
    const b = await tab(bob);
    const c = await tab(carol);
    a.send('game_invite', { username: bob.name, client_id: randomUUID() });
    await b.nextAction('game_invite');
    await expectRefused(a, 'game_invite', { username: bob.name, client_id: randomUUID() }, 'invitation_pending');
    await expectRefused(a, 'game_invite', { username: carol.name, client_id: randomUUID() }, 'invitation_pending');
    await expectRefused(c, 'game_invite', { username: bob.name, client_id: randomUUID() }, 'invitation_pending');
    await expectRefused(b, 'game_invite', { username: carol.name, client_id: randomUUID() }, 'invitation_pending');
    // Only the invitee may answer, only the inviter may cancel.
    await expectRefused(a, 'reply_game_invite', { username: bob.name, accept: true }, 'no_pending_invitation');
    await expectRefused(b, 'cancel_game_invite', { username: alice.name }, 'no_pending_invitation');
  });

  it('already_in_game: players of an ongoing game can neither invite nor be invited', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const carol = await newUser(fixture.svc, 'carol');
    const a = await tab(alice);
    const b = await tab(bob);
    const c = await tab(carol);
    a.send('game_invite', { username: bob.name, client_id: randomUUID() });
    await b.nextAction('game_invite');
    b.send('reply_game_invite', { username: alice.name, accept: true });
    await a.nextAction('game_found');
    await b.nextAction('game_found');
    await expectRefused(c, 'game_invite', { username: alice.name, client_id: randomUUID() }, 'already_in_game');
    await expectRefused(a, 'game_invite', { username: carol.name, client_id: randomUUID() }, 'already_in_game');
    await expectRefused(b, 'game_invite', { username: alice.name, client_id: randomUUID() }, 'already_in_game');
  });

  it('blocked: messages and invitations refused both ways once one blocked the other', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    await messageFrom(a, b, chatId, 'before the block');
    const blocked = await bob.http('PUT', `/api/blocks/${alice.name}`);
    expect(blocked.status).to.equal(200);
    const timestamp = new Date().toISOString();
    await expectRefused(a, 'new_message', { chat_id: chatId, content: 'after', timestamp }, 'blocked');
    await expectRefused(b, 'new_message', { chat_id: chatId, content: 'after', timestamp }, 'blocked');
    await expectRefused(a, 'game_invite', { username: bob.name, client_id: randomUUID() }, 'blocked');
    await expectRefused(b, 'game_invite', { username: alice.name, client_id: randomUUID() }, 'blocked');
    // Unblocking lifts it.
    expect((await bob.http('DELETE', `/api/blocks/${alice.name}`)).status).to.equal(200);
    await messageFrom(a, b, chatId, 'after the unblock');
  });

  it('forbidden: acting in another user’s name', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    await expectRefused(a, 'user_online', { username: bob.name }, 'forbidden');
    await expectRefused(a, 'user_offline', { username: bob.name }, 'forbidden');
    await expectRefused(a, 'add_new_friend', { sender_id: bob.id, receiver_id: alice.id }, 'forbidden');
    await expectRefused(a, 'new_tournament', { tournament_id: randomUUID(), tournament_name: 'Fake', organizer_id: bob.id }, 'forbidden');
  });

  it('other refusals: befriending oneself or an unknown user, unknown notification, tournament announced twice', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const a = await tab(alice);
    await expectRefused(a, 'add_new_friend', { sender_id: alice.id, receiver_id: alice.id }, 'cannot_befriend_self');
    await expectRefused(a, 'add_new_friend', { sender_id: alice.id, receiver_id: 'id-nobody' }, 'user_not_found');
    await expectRefused(a, 'read_notification', { id: randomUUID() }, 'notification_not_found');
    const tournament = { tournament_id: randomUUID(), tournament_name: 'Cup', organizer_id: alice.id };
    a.send('new_tournament', tournament);
    await ping(a);
    await expectRefused(a, 'new_tournament', tournament, 'already_announced');
  });
});
