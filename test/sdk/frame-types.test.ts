import { expect } from 'chai';
import type { ChatMessage, GameOptions, ServerFrameAction, ServerFrameData, SocketLimits } from '../../sdk/src/frames.js';
import { ERROR_CODES, SERVER_FRAME_ACTIONS } from '../../sdk/src/frames.js';
import { asyncApiDocument } from '../../src/interfaces/docs/asyncapi.js';
import { REFUSALS as SERVER_ERROR_CODES } from '../../src/domain/shared/decision.js';
import { actionDataCodecs } from '../../src/application/wire/client-actions.js';

// Compile-time half: each list below must be exactly the SDK type's keys (else this file does not build).
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T] & string;
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
interface KeyLists<T> {
  readonly required: readonly RequiredKeys<T>[];
  readonly all: readonly (keyof T & string)[];
}

const keys =
  <T>() =>
  <const R extends readonly RequiredKeys<T>[], const A extends readonly (keyof T & string)[]>(required: R, all: A) => ({ required, all });

const FRAME_KEYS = {
  ready: keys<ServerFrameData['ready']>()(['position', 'username', 'limits'], ['position', 'username', 'limits']),
  ack: keys<ServerFrameData['ack']>()(['for'], ['for', 'position', 'id', 'chat_id', 'date']),
  resync_required: keys<ServerFrameData['resync_required']>()(['position'], ['position']),
  new_message: keys<ServerFrameData['new_message']>()(
    ['chat_id', 'id', 'content', 'date', 'sender', 'is_read', 'is_liked', 'timestamp'],
    ['chat_id', 'id', 'content', 'date', 'sender', 'is_read', 'is_liked', 'timestamp', 'client_msg_id', 'erased'],
  ),
  chat_like_update: keys<ServerFrameData['chat_like_update']>()(['chat_id', 'id', 'is_liked'], ['chat_id', 'id', 'is_liked']),
  room_created: keys<ServerFrameData['room_created']>()(['chat_id'], ['chat_id']),
  join_chat: keys<ServerFrameData['join_chat']>()(['chat_id'], ['chat_id']),
  game_invite: keys<ServerFrameData['game_invite']>()(
    ['id', 'username', 'nickname', 'avatar', 'options'],
    ['id', 'username', 'nickname', 'avatar', 'options', 'erased'],
  ),
  game_accepted: keys<ServerFrameData['game_accepted']>()(['game_id', 'username', 'nickname', 'avatar'], ['game_id', 'username', 'nickname', 'avatar']),
  game_found: keys<ServerFrameData['game_found']>()(['game_id', 'opponent', 'options'], ['game_id', 'opponent', 'options']),
  game_declined: keys<ServerFrameData['game_declined']>()(['username', 'nickname'], ['username', 'nickname']),
  game_invite_canceled: keys<ServerFrameData['game_invite_canceled']>()(
    ['username', 'nickname', 'message', 'client_id'],
    ['username', 'nickname', 'message', 'client_id'],
  ),
  user_online: keys<ServerFrameData['user_online']>()(['username'], ['username']),
  user_offline: keys<ServerFrameData['user_offline']>()(['username'], ['username']),
  presence_state: keys<ServerFrameData['presence_state']>()(['online'], ['online']),
  presence_diff: keys<ServerFrameData['presence_diff']>()(['online', 'offline'], ['online', 'offline']),
  new_friend: keys<ServerFrameData['new_friend']>()(['username', 'nickname'], ['username', 'nickname', 'erased']),
  new_tournament: keys<ServerFrameData['new_tournament']>()(
    ['tournament_id', 'tournament_name', 'creator'],
    ['tournament_id', 'tournament_name', 'creator', 'erased'],
  ),
  notification: keys<ServerFrameData['notification']>()(['message', 'type'], ['message', 'type']),
  chat_read_update: keys<ServerFrameData['chat_read_update']>()(['chat_id', 'username', 'id'], ['chat_id', 'username', 'id']),
  block_update: keys<ServerFrameData['block_update']>()(
    ['username', 'is_blocked_user', 'is_blocked_by_user'],
    ['username', 'is_blocked_user', 'is_blocked_by_user'],
  ),
  notification_read: keys<ServerFrameData['notification_read']>()(['ids'], ['ids']),
  error: keys<ServerFrameData['error']>()(['for', 'code', 'msg'], ['for', 'code', 'msg']),
} satisfies { readonly [A in ServerFrameAction]: KeyLists<ServerFrameData[A]> };

type Complete = {
  readonly [A in ServerFrameAction]: Equal<(typeof FRAME_KEYS)[A]['required'][number], RequiredKeys<ServerFrameData[A]>> extends true
    ? Equal<(typeof FRAME_KEYS)[A]['all'][number], keyof ServerFrameData[A]>
    : false;
};
const complete: { readonly [A in ServerFrameAction]: true } = null as unknown as Complete;
void complete;

const OPTION_KEYS = keys<GameOptions>()(
  ['game_speed', 'ranked', 'cool_mode', 'score_to_win', 'time_limit'],
  ['game_speed', 'ranked', 'cool_mode', 'score_to_win', 'time_limit'],
);
const optionsComplete: Equal<(typeof OPTION_KEYS)['all'][number], keyof GameOptions> = true;
const MESSAGE_KEYS = keys<ChatMessage>()(
  ['id', 'content', 'date', 'sender', 'is_read', 'is_liked'],
  ['id', 'content', 'date', 'sender', 'is_read', 'is_liked', 'erased'],
);
const messageComplete: Equal<(typeof MESSAGE_KEYS)['all'][number], keyof ChatMessage> = true;
const LIMITS_KEYS = keys<SocketLimits>()(['rate_per_second', 'burst', 'max_frame_bytes'], ['rate_per_second', 'burst', 'max_frame_bytes']);
const limitsComplete: Equal<(typeof LIMITS_KEYS)['all'][number], keyof SocketLimits> = true;
void limitsComplete;
void optionsComplete;
void messageComplete;

interface ObjectSchema {
  readonly properties: Readonly<Record<string, ObjectSchema>>;
  readonly required: readonly string[];
  readonly enum?: readonly string[];
}

const messages = (asyncApiDocument()['components'] as unknown as { messages: Record<string, { payload: ObjectSchema }> }).messages;
const dataSchema = (action: string): ObjectSchema => {
  const message = messages[`server.${action}`];
  if (message === undefined) throw new Error(`no server.${action} in the AsyncAPI document`);
  return message.payload.properties['data'] as ObjectSchema;
};
const sorted = (xs: readonly string[]) => [...xs].sort();

// Run-time half: the same lists against the AsyncAPI document the server publishes.
describe('sdk: frame types match the AsyncAPI document', () => {
  it('has a type for every server frame and no other', () => {
    const documented = Object.keys(messages)
      .filter((k) => k.startsWith('server.'))
      .map((k) => k.slice('server.'.length));
    expect(sorted(SERVER_FRAME_ACTIONS)).to.deep.equal(sorted(documented));
  });

  for (const action of SERVER_FRAME_ACTIONS) {
    it(`${action}: the same fields, the same required`, () => {
      const schema = dataSchema(action);
      expect(sorted(Object.keys(schema.properties)), 'fields').to.deep.equal(sorted(FRAME_KEYS[action].all));
      expect(sorted(schema.required), 'required').to.deep.equal(sorted(FRAME_KEYS[action].required));
    });
  }

  it('game options and messages have the documented fields', () => {
    for (const action of ['game_invite', 'game_found'])
      expect(sorted(Object.keys(dataSchema(action).properties['options']?.properties ?? {}))).to.deep.equal(sorted(OPTION_KEYS.all));
    const message = dataSchema('new_message');
    for (const k of MESSAGE_KEYS.all) expect(message.properties).to.have.property(k);
  });

  it('answers carry the ref top-level: always on ack, optionally on error; every client frame may carry one', () => {
    const envelope = (name: string): ObjectSchema => {
      const message = messages[name];
      if (message === undefined) throw new Error(`no ${name} in the AsyncAPI document`);
      return message.payload;
    };
    expect(envelope('server.ack').properties).to.have.property('ref');
    expect(envelope('server.ack').required).to.include('ref');
    expect(envelope('server.error').properties).to.have.property('ref');
    expect(envelope('server.error').required).to.not.include('ref');
    for (const action of Object.keys(actionDataCodecs)) {
      expect(envelope(`client.${action}`).properties, action).to.have.property('ref');
      expect(envelope(`client.${action}`).required, action).to.not.include('ref');
    }
  });

  it('ready.limits has the documented fields, all required', () => {
    const limits = dataSchema('ready').properties['limits'];
    expect(sorted(Object.keys(limits?.properties ?? {}))).to.deep.equal(sorted(LIMITS_KEYS.all));
    expect(sorted(limits?.required ?? [])).to.deep.equal(sorted(LIMITS_KEYS.required));
  });

  it('error codes and the actions an error is for are the server’s', () => {
    expect(sorted(ERROR_CODES)).to.deep.equal(sorted(Object.keys(SERVER_ERROR_CODES)));
    expect(sorted(dataSchema('error').properties['code']?.enum ?? [])).to.deep.equal(sorted(ERROR_CODES));
    expect(sorted(dataSchema('error').properties['for']?.enum ?? [])).to.deep.equal(sorted(Object.keys(actionDataCodecs)));
  });
});
