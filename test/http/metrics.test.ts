import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { seriesValue } from '../support/prometheus.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, newUser, nextError, nextMessage } from '../ws/support.js';

/** A counter's value; 0 before its first increment, when the series is absent. */
const valueOf = (text: string, series: string): number => seriesValue(text, series) ?? 0;

describe('GET /metrics and request logs', () => {
  let svc: TestService;
  const METRICS_TOKEN = 'metrics-token-for-tests';
  before(async () => {
    svc = await startTestService({ metricsToken: METRICS_TOKEN });
  });
  after(async () => svc.stop());

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${svc.service.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    return res.text();
  };

  it('is refused without the METRICS_TOKEN (401 JSON), served with it', async () => {
    const bare = await fetch(`${svc.service.url}/metrics`);
    expect(bare.status).to.equal(401);
    expect(await bare.json()).to.have.property('msg');
    const wrong = await fetch(`${svc.service.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).to.equal(401);
    expect(await scrape()).to.include('nodejs_eventloop_lag_seconds');
  });

  it('the named series move with traffic', async () => {
    const node = svc.service.config.nodeId;
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const before = await scrape();
    const a = await alice.connect();
    const b = await bob.connect();
    a.send('new_message', { chat_id: chatId, content: 'counted', timestamp: new Date().toISOString() });
    await nextMessage(b, 'counted');
    a.send('join_chat', { chat_id: randomUUID() });
    await nextError(a, 'join_chat');
    expect((await alice.http('PUT', `/api/chats/${alice.name}`)).status).to.equal(422);
    const during = await scrape();
    const moved = (series: string, by = 1) => expect(valueOf(during, series) - valueOf(before, series), series).to.be.at.least(by);
    expect(valueOf(during, `chat_ws_connections{node="${node}"}`)).to.equal(2);
    moved('chat_ws_frames_in_total{action="new_message"}');
    moved('chat_ws_frames_out_total{action="new_message"}', 2);
    moved('chat_ws_frames_out_total{action="ready"}', 2);
    moved('chat_refusals_total{code="not_a_member",via="ws"}');
    moved('chat_refusals_total{code="cannot_chat_with_self",via="rest"}');
    moved('chat_command_seconds_count{action="new_message"}');
    moved('chat_store_append_seconds_count');
    moved('chat_ws_resume_backlog_frames_count', 2);
    moved('chat_store_group_commits{kind="events"}');
    moved('chat_http_request_seconds_count{route="/api/chats/:username",method="PUT",status="422"}');
    for (const series of [
      'chat_projection_lag_events',
      'chat_projection_lag_seconds',
      'chat_broadcaster_lag_events',
      'chat_broadcaster_lag_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(during, series).to.match(new RegExp(`^${series}[ {]`, 'm'));
    }
    await Promise.all([a.close(), b.close()]);
  });

  it('every REST answer carries X-Request-Id; a given one is kept and becomes the correlation id of the events it stores', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const fresh = await fetch(`${svc.service.url}/api/chats/`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const requestId = `req-${randomUUID()}`;
    const res = await fetch(`${svc.service.url}/api/chats/${bob.name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice.token}`, 'x-request-id': requestId },
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('x-request-id')).to.equal(requestId);
    const { chat_id: chatId } = (await res.json()) as { chat_id: string };
    const [created] = await svc.service.store.readStream(`chat-${chatId}`);
    expect(created?.metadata.correlationId).to.equal(requestId);
    const hostile = await fetch(`${svc.service.url}/api/chats/`, { headers: { authorization: `Bearer ${alice.token}`, 'x-request-id': 'a b c/../"x"' } });
    expect(hostile.headers.get('x-request-id'), 'a malformed id is replaced').to.match(/^[0-9a-f-]{36}$/);
  });
});
