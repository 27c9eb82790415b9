// kubets loadbalancer: flags → LoadBalancer → serve until SIGTERM/SIGINT, then drain and exit 0.
import { runComponent } from '../../pkg/cli/component.js';
import { formatHostPort, LOADBALANCER_USAGE, LoadBalancer, parseLoadBalancerFlags } from '../../pkg/loadbalancer/index.js';

runComponent({
  name: 'loadbalancer',
  usage: LOADBALANCER_USAGE,
  parse: parseLoadBalancerFlags,
  logLevel: (flags) => flags.logLevel,
  async run(flags, logger, signal) {
    const lb = new LoadBalancer({ ...flags, logger });
    const { listen, admin, done } = await lb.start(signal);
    process.stdout.write(`loadbalancer serving on ${formatHostPort(listen.host, listen.port)}, admin on http://${formatHostPort(admin.host, admin.port)}\n`);
    await done;
    return 0;
  },
});
