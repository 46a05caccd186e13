/** (a), (e) and (b) share one server with `users` connected sockets in users/2 chats: set up once, then each scenario's phases. */
import { Load } from './load-driver.js';
import type { Options } from './options.js';
import { log } from './progress.js';
import type { TargetResults } from './results.js';
import { latencyScenario } from './scenario-a-latency.js';
import { rampScenario } from './scenario-b-ramp.js';
import { restScenario } from './scenario-e-rest.js';
import { startServer } from './servers.js';

/** The selected ones of (a), (e) (service only) and (b), in that order, against one target; each result kept in `out` as it comes. */
export const loadScenarios = async (kind: 'service' | 'relay', o: Options, out: TargetResults): Promise<void> => {
  const name = kind === 'service' ? 'chat-events' : 'baseline';
  const server = await startServer(kind, 'load');
  let load: Load | undefined;
  try {
    load = await Load.start(`${kind}-load`);
    await load.init(server.target, kind);
    out.setup = await load.setup(o.users);
    log(`${name}: ${out.setup.users} users, ${out.setup.chats} chats set up in ${out.setup.ms} ms`);
    out.connect = await load.connect(0, o.users, 100, 120_000);
    log(
      `${name}: ${out.connect.opened} sockets open in ${out.connect.ms} ms (${out.connect.failed} failed, ${out.connect.framesDuringConnect} presence frames)`,
    );
    if (out.connect.failed > 0) throw new Error(`could not connect every user: ${out.connect.firstError ?? ''}`);
    if (o.only.has('a')) out.latency = await latencyScenario(load, o, server.pid, name);
    if (o.only.has('e') && kind === 'service') await restScenario(load, o, server.pid, name, out);
    if (o.only.has('b')) out.ramp = await rampScenario(load, o, server.pid, name);
  } finally {
    await load?.close();
    await server.stop();
  }
};
