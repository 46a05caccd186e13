import { expect } from 'chai';
import { KeyRing } from '../../src/application/erasure/key-ring.js';
import { PersonalData } from '../../src/application/erasure/personal-data.js';
import { decodeStored, EventDecodeError, toNewEvent } from '../../src/application/log/stored.js';
import type { NewEvent, RecordedEvent } from '../../src/application/ports/event-store.js';
import { positionOf } from '../../src/application/ports/position.js';
import { domainEvents, type AnyDomainEvent } from '../../src/domain/events.js';
import { samples } from '../support/event-samples.js';
import { MemoryKeyStore, memoryKeys } from '../support/memory-keys.js';

const AT = '2026-01-01T00:00:00.000Z';
const meta = { correlationId: 'c', timestamp: AT };
let n = 0;
const id = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

const recorded = (e: NewEvent, streamId = 'stream'): RecordedEvent => ({
  ...e,
  data: JSON.parse(JSON.stringify(e.data)),
  streamId,
  revision: 0,
  position: positionOf(++n),
});

const message = (senderId: string, content: string): AnyDomainEvent => ({
  type: 'MessageSent',
  data: { chatId: 'chat', messageId: id(), senderId, content, seq: 1, date: AT, clientTimestamp: AT },
});
const registered = (userId: string, username: string): AnyDomainEvent => ({
  type: 'UserRegistered',
  data: { userId, username, nickname: `${username} nick`, avatar: `https://img.example/${username}.png`, at: AT },
});

/** A KeyStore that counts its calls. */
class CountingStore extends MemoryKeyStore {
  byIds = 0;
  override async keysByIds(keyIds: readonly string[]) {
    this.byIds += 1;
    return super.keysByIds(keyIds);
  }
}

describe('personal data: sealed in toNewEvent, opened in decodeStored', () => {
  it('seals exactly the declared personal fields, under the owner’s key, and opens them on another process’s ring', async () => {
    const keys = memoryKeys();
    const sealed = await toNewEvent(domainEvents, registered('u1', 'alice'), meta, id(), keys.personal);
    for (const field of ['username', 'nickname', 'avatar']) expect(String(sealed.data[field]).startsWith('\tpd1.'), field).to.equal(true);
    expect(sealed.data['userId']).to.equal('u1');
    expect(sealed.data['at']).to.equal(AT);
    expect(JSON.stringify(sealed)).to.not.include('alice');
    const msg = await toNewEvent(domainEvents, message('u1', 'a secret'), meta, id(), keys.personal);
    expect(JSON.stringify(msg)).to.not.include('secret');
    expect(msg.data['senderId']).to.equal('u1');

    // Another process: its own ring over the same key store.
    const other = new PersonalData(new KeyRing(keys.store), (u) => keys.usernames.aliasOf(u));
    const records = [recorded(sealed), recorded(msg)];
    await other.prepare(domainEvents, records);
    const [user, text] = records.map((r) => decodeStored(domainEvents, r, other));
    expect(user?.event).to.deep.equal(registered('u1', 'alice'));
    expect(user?.erased).to.equal(false);
    expect(user?.opened['username']).to.equal('alice');
    expect(text?.event.type === 'MessageSent' && text.event.data.content).to.equal('a secret');
  });

  it('leaves events without personal fields as they are', async () => {
    const { personal } = memoryKeys();
    const event: AnyDomainEvent = { type: 'UserBlocked', data: { userId: 'a', blockedId: 'b', at: AT } };
    const stored = await toNewEvent(domainEvents, event, meta, id(), personal);
    expect(stored.data).to.deep.equal(event.data);
  });

  it('reads an erased owner’s fields as empty, a username as their alias, and says so', async () => {
    const keys = memoryKeys();
    const records = [
      recorded(await toNewEvent(domainEvents, registered('gone', 'gina'), meta, id(), keys.personal)),
      recorded(await toNewEvent(domainEvents, message('gone', 'hello'), meta, id(), keys.personal)),
      recorded(await toNewEvent(domainEvents, message('kept', 'still here'), meta, id(), keys.personal)),
    ];
    await keys.store.destroyKeysOf(['gone']);
    keys.personal.forgetUser('gone');
    await keys.personal.prepare(domainEvents, records);
    const [user, gone, kept] = records.map((r) => decodeStored(domainEvents, r, keys.personal));
    const alias = keys.usernames.aliasOf('gone');
    expect(alias).to.match(/^erased-[0-9a-f]{24}$/);
    expect(user?.event.data).to.deep.equal({ userId: 'gone', username: alias, nickname: '', avatar: '', at: AT });
    expect(user?.erased).to.equal(true);
    expect(gone?.event.type === 'MessageSent' && gone.event.data.content).to.equal('');
    expect(gone?.erased).to.equal(true);
    expect(kept?.event.type === 'MessageSent' && kept.event.data.content).to.equal('still here');
    expect(kept?.erased).to.equal(false);
  });

  it('refuses to decode a personal field stored in clear, or one moved from another event', async () => {
    const { personal } = memoryKeys();
    const plain: NewEvent = { id: id(), type: 'MessageSent', data: message('u', 'in clear').data, metadata: { ...meta, schemaVersion: 2 } };
    await personal.prepare(domainEvents, [recorded(plain)]);
    expect(() => decodeStored(domainEvents, recorded(plain), personal)).to.throw(EventDecodeError, /not a sealed value/);
    const a = await toNewEvent(domainEvents, message('u', 'one'), meta, id(), personal);
    const b = await toNewEvent(domainEvents, message('u', 'two'), meta, id(), personal);
    const swapped = recorded({ ...b, data: { ...b.data, content: a.data['content'] } });
    await personal.prepare(domainEvents, [swapped]);
    expect(() => decodeStored(domainEvents, swapped, personal)).to.throw(EventDecodeError, /does not authenticate/);
  });

  it('loads a page’s keys in one store call', async () => {
    const store = new CountingStore();
    const writer = memoryKeys(store);
    const records = await Promise.all(
      ['a', 'b', 'c', 'a'].map(async (u) => recorded(await toNewEvent(domainEvents, message(u, `from ${u}`), meta, id(), writer.personal))),
    );
    const reader = new PersonalData(new KeyRing(store), (u) => u);
    await reader.prepare(domainEvents, records);
    expect(store.byIds).to.equal(1);
    for (const r of records) decodeStored(domainEvents, r, reader);
    await reader.prepare(domainEvents, records);
    expect(store.byIds, 'all cached').to.equal(1);
  });

  it('seals data written before erasure existed, once: values already sealed are kept', async () => {
    const { personal } = memoryKeys();
    const fields = domainEvents.spec('MessageSent')?.personal ?? [];
    const eventId = id();
    const data = message('u', 'old words').data;
    const first = await personal.sealInClear(fields, data, eventId);
    expect(first.changed).to.equal(true);
    expect(String(first.data['content'])).to.match(/^\tpd1\./);
    const again = await personal.sealInClear(fields, first.data, eventId);
    expect(again).to.deep.equal({ data: first.data, changed: false });
    const r: RecordedEvent = {
      id: eventId,
      type: 'MessageSent',
      data: first.data,
      metadata: { ...meta, schemaVersion: 2 },
      streamId: 's',
      revision: 0,
      position: positionOf(1),
    };
    await personal.prepare(domainEvents, [r]);
    expect(decodeStored(domainEvents, r, personal)?.event).to.deep.equal({ type: 'MessageSent', data });
  });
});

describe('personal fields are declared beside the codecs', () => {
  const declared = (type: string) => (domainEvents.spec(type)?.personal ?? []).map((f) => `${f.field}<-${f.owner}${f.erasedAs === 'alias' ? ' (alias)' : ''}`);

  it('declares the profile, usernames, message contents and self-notifications, with their owners', () => {
    expect(declared('UserRegistered')).to.deep.equal(['username<-userId (alias)', 'nickname<-userId', 'avatar<-userId']);
    expect(declared('UserProfileUpdated')).to.deep.equal(['username<-userId (alias)', 'nickname<-userId', 'avatar<-userId']);
    expect(declared('UsernameClaimed')).to.deep.equal(['username<-userId (alias)']);
    expect(declared('MessageSent')).to.deep.equal(['content<-senderId']);
    expect(declared('EphemeralNotificationSent')).to.deep.equal(['message<-userId']);
  });

  it('leaves no event with a field named like personal data undeclared', () => {
    // A new event with a username, nickname, avatar, content or message must say whose it is.
    const PERSONAL_NAMES = new Set(['username', 'nickname', 'avatar', 'content', 'message']);
    const offenders = Object.values(samples).flatMap((sample) => {
      const spec = domainEvents.spec(sample.type);
      return Object.keys(sample.data)
        .filter((f) => PERSONAL_NAMES.has(f) && spec?.personal.some((p) => p.field === f) !== true)
        .map((f) => `${sample.type}.${f}`);
    });
    expect(offenders).to.deep.equal([]);
    expect(Object.keys(samples).sort()).to.deep.equal([...domainEvents.types].sort());
  });
});
