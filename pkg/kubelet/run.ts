// One kubelet process: the API client from its flags, its CRI runtime (a simulated one of its
// own on a socket under --root-dir with --runtime=fake and no endpoint), the HTTP endpoint, and
// the kubelet's loops until SIGTERM.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { restOptionsFromFlags } from '../cli/client.js';
import { realClock } from '../client/clock.js';
import { RestClient } from '../client/rest.js';
import { CriClient } from '../cri/client.js';
import { startFakeRuntimeServer, type FakeRuntimeServer } from '../cri/fake/server.js';
import { Kubelet } from './kubelet.js';
import type { KubeletFlags } from './options.js';
import { serveKubelet } from './server.js';

export async function runKubeletProcess(flags: KubeletFlags, log: Logger, signal: AbortSignal): Promise<number> {
  let fake: FakeRuntimeServer | undefined;
  let endpoint = flags.containerRuntimeEndpoint;
  if (endpoint === '') {
    fake = await startFakeRuntimeServer(`unix://${join(flags.rootDir, 'fake-runtime.sock')}`, realClock);
    endpoint = fake.endpoint;
    log.info({ endpoint }, 'started the simulated runtime');
  }
  const client = new RestClient({ ...restOptionsFromFlags(flags), component: 'kubelet' });
  const cri = new CriClient({ endpoint });
  const holder: { kubelet?: Kubelet } = {};
  const server = await serveKubelet(flags.address, flags.port, () => holder.kubelet, realClock);
  const kubelet = new Kubelet({ flags, client, cri, clock: realClock, log, port: () => server.port });
  holder.kubelet = kubelet;
  log.info({ node: flags.nodeName, port: server.port, runtime: endpoint }, 'kubelet serving');
  signal.addEventListener('abort', () => log.info({ node: flags.nodeName }, 'kubelet stopping'), { once: true });
  try {
    await kubelet.run(signal);
    log.info({ node: flags.nodeName }, 'kubelet loops stopped');
    return 0;
  } finally {
    await server.close();
    cri.close();
    client.close();
    await fake?.stop();
  }
}
