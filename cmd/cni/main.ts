// kubets cni: a node's pod network service (proto/cni.proto) over a host-local or bridge backend.
import { runComponent } from '../../pkg/cli/component.js';
import { CNI_USAGE, parseCniFlags, runCni } from '../../pkg/cni/run.js';

runComponent({
  name: 'cni',
  usage: CNI_USAGE,
  parse: parseCniFlags,
  logLevel: (flags) => flags.logLevel,
  run: (flags, logger, signal) => runCni(flags, logger, signal),
});
