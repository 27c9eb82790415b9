// kubets kubelet: the node agent. Registers its Node, runs the pods bound to it through CRI, and
// reports their status until SIGTERM/SIGINT.
import { runComponent } from '../../pkg/cli/component.js';
import { KUBELET_USAGE, parseKubeletFlags } from '../../pkg/kubelet/options.js';
import { runKubeletProcess } from '../../pkg/kubelet/run.js';

runComponent({
  name: 'kubelet',
  usage: KUBELET_USAGE,
  parse: parseKubeletFlags,
  logLevel: (flags) => flags.logLevel,
  run: (flags, logger, signal) => runKubeletProcess(flags, logger, signal),
});
