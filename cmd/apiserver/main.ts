// kubets apiserver: flags → ApiServer → serve until SIGTERM/SIGINT.
import { builtinRegistry } from '../../pkg/api/index.js';
import { APISERVER_USAGE, parseApiServerFlags } from '../../pkg/apiserver/options.js';
import { ApiServer } from '../../pkg/apiserver/server.js';
import { runComponent } from '../../pkg/cli/component.js';

runComponent({
  name: 'apiserver',
  usage: APISERVER_USAGE,
  parse: parseApiServerFlags,
  logLevel: (flags) => flags.logLevel,
  async run(flags, logger, signal) {
    const server = new ApiServer({ ...flags, registry: builtinRegistry(), logger });
    const { done } = await server.start(signal);
    const { host, port } = server.address();
    process.stdout.write(`apiserver serving on ${server.scheme}://${host}:${port}\n`);
    await done;
    return 0;
  },
});
