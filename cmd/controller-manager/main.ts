// kubets controller-manager: flags → the enabled controllers, run by the elected leader until
// SIGTERM/SIGINT. Exits 1 when another replica takes its Lease or a controller fails (its supervisor
// restarts it as a candidate).
import { runComponent } from '../../pkg/cli/component.js';
import { CONTROLLERS } from '../../pkg/controller-manager/controllers.js';
import { controllerManagerUsage, parseControllerManagerFlags } from '../../pkg/controller-manager/options.js';
import { runControllerManagerProcess } from '../../pkg/controller-manager/server.js';

runComponent({
  name: 'controller-manager',
  usage: controllerManagerUsage(CONTROLLERS),
  parse: (argv) => parseControllerManagerFlags(argv, CONTROLLERS),
  logLevel: (flags) => flags.logLevel,
  async run(flags, logger, signal) {
    const exit = await runControllerManagerProcess(flags, CONTROLLERS, logger, signal);
    return exit === 'lost' || exit === 'failed' ? 1 : 0;
  },
});
