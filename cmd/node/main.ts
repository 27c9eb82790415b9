// kubets node: a node's processes — the simulated runtime and the kubelet — kept running as a
// machine's service manager would, for containers that are nodes.
import { runComponent } from '../../pkg/cli/component.js';
import { defaultDistDir } from '../../pkg/cluster/launcher.js';
import { NODE_USAGE, parseNodeFlags, runNode } from '../../pkg/cluster/node.js';

runComponent({
  name: 'node',
  usage: NODE_USAGE,
  parse: parseNodeFlags,
  logLevel: (flags) => flags.logLevel,
  run: (flags, logger, signal) => runNode(flags, defaultDistDir(), logger, signal),
});
