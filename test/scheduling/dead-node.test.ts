import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { eventually, fastScheduling, isOnline, register, uniq } from './support.js';

const NODE_SCRIPT = fileURLToPath(new URL('./fixtures/service-node.js', import.meta.url));

interface NodeInfo {
  readonly url: string;
  readonly wsUrl: string;
  readonly nodeId: string;
}

/** Starts a second node on `dataDir` in its own process; resolves once it serves. */
const startNodeProcess = async (dataDir: string, overrides: object): Promise<{ child: ChildProcess; info: NodeInfo }> => {
  const child = spawn(process.execPath, [NODE_SCRIPT, dataDir, JSON.stringify(overrides)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    const [line] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(() => {
        throw new Error('node process exited before serving');
      }),
    ])) as [string];
    return { child, info: JSON.parse(line) as NodeInfo };
  } finally {
    clearTimeout(timeout);
  }
};

describe('scheduled jobs: a dead node’s connections are closed out by another node', function () {
  this.timeout(40_000);
  const overrides = fastScheduling({ presence: { leaseTtlMs: 600 } });
  let a: TestService | undefined;
  let b: ChildProcess | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    if (b !== undefined && b.exitCode === null && b.signalCode === null) {
      b.kill('SIGKILL');
      await once(b, 'exit');
    }
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await a?.stop();
  });

  it('node B is SIGKILLed with a user connected: node A’s lease job takes the user offline and withdraws their invitation', async () => {
    a = await startTestService(overrides);
    const started = await startNodeProcess(a.dataDir, overrides);
    b = started.child;
    const [carol, dave] = [uniq('carol'), uniq('dave')];
    await register(a, carol, dave);

    const onA = await a.connect(carol);
    clients.push(onA);
    const onB = await TestClient.connect(`${started.info.wsUrl}?token=${a.token(dave)}`);
    clients.push(onB);
    await onA.next((f) => f.action === 'user_online' && f.data['username'] === dave, 5000);
    const clientId = randomUUID();
    onB.send('game_invite', { username: carol, client_id: clientId, options: {} });
    await onA.next((f) => f.action === 'game_invite' && f.data['username'] === dave, 5000);

    // While B renews its lease, A leaves B's connections alone (several lease periods here).
    const meanwhile = await onA.collect(2000, (f) => f.action === 'user_offline' || f.action === 'game_invite_canceled');
    expect(meanwhile, 'a live node is not closed out').to.deep.equal([]);

    const killedAt = Date.now();
    b.kill('SIGKILL');
    await once(b, 'exit');
    expect((await onB.closed).code, 'the socket died with its node, no close frame').to.equal(1006);

    const offline = await onA.next((f) => f.action === 'user_offline' && f.data['username'] === dave, 10_000);
    expect(offline.position).to.be.a('string');
    const canceled = await onA.next((f) => f.action === 'game_invite_canceled', 5000);
    expect(canceled.data).to.deep.equal({ username: dave, nickname: dave, message: 'The inviter left', client_id: clientId });
    expect(Date.now() - killedAt, 'within a few lease periods').to.be.below(8000);
    await eventually(async () => !(await isOnline(a!, carol, dave)), 'is_online false for the user of the dead node');
    expect(await isOnline(a, dave, carol), 'the user on the live node stays online').to.equal(true);
  });
});
