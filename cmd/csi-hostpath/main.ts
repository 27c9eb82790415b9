// kubets csi-hostpath: a node's hostpath CSI driver (and, with --provision, its provisioner).
import { runComponent } from '../../pkg/cli/component.js';
import { CSI_HOSTPATH_USAGE, parseCsiHostPathFlags } from '../../pkg/csi/hostpath/options.js';
import { runCsiHostPath } from '../../pkg/csi/hostpath/run.js';

runComponent({
  name: 'csi-hostpath',
  usage: CSI_HOSTPATH_USAGE,
  parse: parseCsiHostPathFlags,
  logLevel: (flags) => flags.logLevel,
  run: (flags, logger, signal) => runCsiHostPath(flags, logger, signal),
});
