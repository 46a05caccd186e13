import { expect } from 'chai';
import { CloseCode } from '../../src/interfaces/ws/close-codes.js';
import { seriesValue } from '../support/prometheus.js';
import { startTestService, type TestService } from '../support/test-service.js';
import type { TestClient } from '../support/test-client.js';
import { newUser, sleep, type User } from './support.js';

const METRICS_TOKEN = 'metrics-token-for-socket-endings';
const PING_MS = 150;
const PONG_MS = 150;
const ROUNDS = 3;

/** One way a socket ends: how it is opened, what ends it, and the close code its client sees. */
interface Ending {
  readonly how: string;
  /** The close code the client sees (1006: no close frame, the transport was cut). */
  readonly code: number;
  /** Ended by the server on its own (heartbeat, expiry), whatever the test does. */
  readonly serverEnds?: boolean;
  open(u: User, svc: TestService): Promise<TestClient>;
  end(c: TestClient): void;
}

const ENDINGS: readonly Ending[] = [
  { how: 'the client closes it', code: 1000, open: (u) => u.connectReady(), end: (c) => c.ws.close(1000) },
  { how: 'the client drops the transport after ready', code: 1006, open: (u) => u.connectReady(), end: (c) => c.ws.terminate() },
  {
    how: 'the client drops the transport before ready (set-up still running)',
    code: 1006,
    open: (u) => u.connect({ awaitReady: false }),
    end: (c) => c.ws.terminate(),
  },
  { how: 'the server closes it on a binary frame', code: CloseCode.BAD_DATA, open: (u) => u.connectReady(), end: (c) => c.sendRaw(Buffer.from([1, 2, 3])) },
  { how: 'the server counts it out: no pongs', code: 1006, serverEnds: true, open: (u) => u.connect({ autoPong: false }), end: () => {} },
  {
    how: 'the server closes it when its token expires',
    code: CloseCode.UNAUTHORIZED,
    serverEnds: true,
    open: (u, svc) => svc.connect(u.name, { token: svc.token(u.name, { expiresInSeconds: 2 }) }),
    end: () => {},
  },
];

describe('WebSocket: however a socket ends, the node forgets it', function () {
  this.timeout(60_000);
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ metricsToken: METRICS_TOKEN, ws: { pingIntervalMs: PING_MS, pongTimeoutMs: PONG_MS } });
  });
  after(async () => svc.stop());

  const openSockets = async (): Promise<number | undefined> => {
    const res = await fetch(`${svc.service.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).to.equal(200);
    return seriesValue(await res.text(), `chat_ws_connections{node="${svc.service.config.nodeId}"}`);
  };

  it(`${ENDINGS.length} endings × ${ROUNDS}, at once: chat_ws_connections counts them while open, and the node holds none of them after`, async () => {
    expect(await openSockets()).to.equal(0);
    const users = await Promise.all(ENDINGS.flatMap((ending) => Array.from({ length: ROUNDS }, async () => ({ ending, user: await newUser(svc, 'ending') }))));
    const open = ({ ending, user }: { ending: Ending; user: User }) => ending.open(user, svc).then((client) => ({ ending, client }));
    // Those the client ends first, so that none has ended when they are counted; a socket opened
    // without waiting for `ready` is counted from its 101, set-up or not.
    const clientEnded = await Promise.all(users.filter((u) => !u.ending.serverEnds).map(open));
    expect(await openSockets()).to.equal(clientEnded.length);
    const cases = [...clientEnded, ...(await Promise.all(users.filter((u) => u.ending.serverEnds).map(open)))];
    for (const { ending, client } of cases) ending.end(client);
    const codes = await Promise.all(cases.map(async ({ ending, client }) => ({ how: ending.how, code: (await client.closed).code })));
    expect(codes).to.deep.equal(cases.map(({ ending }) => ({ how: ending.how, code: ending.code })));
    // The close-outs (ConnectionClosed, groups left) run after the transport is gone.
    const deadline = Date.now() + 10_000;
    while (((await openSockets()) !== 0 || svc.service.hub.size !== 0) && Date.now() < deadline) await sleep(50);
    expect({ gateway: await openSockets(), hub: svc.service.hub.size }).to.deep.equal({ gateway: 0, hub: 0 });
  });

  it('an upgrade refused (a bad token) is never counted', async () => {
    const refused = await svc.connect('nobody', { token: 'not-a-token' }).then(
      () => 'upgraded',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(refused).to.equal('upgrade refused: 401');
    expect(await openSockets()).to.equal(0);
  });
});
