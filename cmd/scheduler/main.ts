// kubets scheduler: flags → a leader-elected scheduling loop until SIGTERM/SIGINT. Exits 1 when
// another replica takes its Lease (its supervisor restarts it as a candidate), as kube-scheduler does.
import { runComponent } from '../../pkg/cli/component.js';
import { SCHEDULER_USAGE, parseSchedulerFlags } from '../../pkg/scheduler/options.js';
import { runSchedulerProcess } from '../../pkg/scheduler/server.js';

runComponent({
  name: 'scheduler',
  usage: SCHEDULER_USAGE,
  parse: parseSchedulerFlags,
  logLevel: (flags) => flags.logLevel,
  async run(flags, logger, signal) {
    return (await runSchedulerProcess(flags, logger, signal)) === 'lost' ? 1 : 0;
  },
});
