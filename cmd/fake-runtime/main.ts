// kubets fake-runtime: the simulated container runtime as a CRI gRPC server of its own, so the
// containers it runs outlive a kubelet that crashes (the kubelet adopts them when it returns).
import { runComponent } from '../../pkg/cli/component.js';
import { realClock } from '../../pkg/client/clock.js';
import { FAKE_RUNTIME_USAGE, parseFakeRuntimeFlags } from '../../pkg/cri/fake/options.js';
import { startFakeRuntimeServer } from '../../pkg/cri/fake/server.js';

runComponent({
  name: 'fake-runtime',
  usage: FAKE_RUNTIME_USAGE,
  parse: parseFakeRuntimeFlags,
  logLevel: (flags) => flags.logLevel,
  async run(flags, logger, signal) {
    const server = await startFakeRuntimeServer(flags.listen, realClock);
    logger.info({ endpoint: server.endpoint }, 'fake runtime serving CRI');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.stop();
    return 0;
  },
});
