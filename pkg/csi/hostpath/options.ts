// Flags of the hostpath CSI driver process (cmd/csi-hostpath): the driver's socket and state, and,
// with an apiserver to talk to, its node's provisioner.
import { FlagError, parseFlags } from '../../cli/component.js';
import type { ClientFlags } from '../../cli/client.js';
import { HOSTPATH_DRIVER_NAME } from './driver.js';

export interface CsiHostPathFlags extends ClientFlags {
  /** unix:///path/csi.sock the driver serves on. */
  readonly endpoint: string;
  /** The node it serves (its Node name). */
  readonly nodeId: string;
  readonly stateDir: string;
  /** Run the node's external provisioner too (needs the apiserver: --kubeconfig or --master). */
  readonly provision: boolean;
  /** With --provision: the StorageClass made the cluster's default when it has none ('' for none). */
  readonly defaultStorageClass: string;
  readonly logLevel: string;
}

export const CSI_HOSTPATH_USAGE = `Usage: csi-hostpath [flags]
  The hostpath CSI driver (csi.v1 Identity, Controller and Node over gRPC): volumes are directories
  on this node. With --provision, also this node's external provisioner: claims of a StorageClass
  whose provisioner is ${HOSTPATH_DRIVER_NAME}, scheduled to this node, get volumes here.
  --endpoint=ENDPOINT   unix:///path/csi.sock (default unix:///var/lib/kubelet/plugins/${HOSTPATH_DRIVER_NAME}/csi.sock;
                        the kubelet finds drivers at <root-dir>/plugins/<driver name>/csi.sock)
  --nodeid=NAME         the node's name (required)
  --state-dir=DIR       where volumes live (default /var/lib/csi-hostpath)
  --provision           run the node's provisioner (with --kubeconfig or --master); it also makes the
                        driver's CSIDriver object
  --default-storage-class=NAME
                        with --provision: a WaitForFirstConsumer StorageClass NAME of this driver,
                        made the cluster's default, created when the cluster has no default class
  --kubeconfig=PATH     the apiserver to provision through
  --master=URLS         apiserver URLs (comma-separated), instead of or over the kubeconfig's
  --log-level=LEVEL     pino level (default info)`;

export function parseCsiHostPathFlags(argv: readonly string[]): CsiHostPathFlags {
  const v = parseFlags(argv, {
    endpoint: { type: 'string', default: `unix:///var/lib/kubelet/plugins/${HOSTPATH_DRIVER_NAME}/csi.sock` },
    nodeid: { type: 'string' },
    'state-dir': { type: 'string', default: '/var/lib/csi-hostpath' },
    provision: { type: 'boolean', default: false },
    'default-storage-class': { type: 'string', default: '' },
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (!v.nodeid) throw new FlagError('--nodeid is required');
  if (!v.endpoint.startsWith('unix:///')) throw new FlagError(`--endpoint must be unix:///path, not ${JSON.stringify(v.endpoint)}`);
  return {
    endpoint: v.endpoint,
    nodeId: v.nodeid,
    stateDir: v['state-dir'],
    provision: v.provision,
    defaultStorageClass: v['default-storage-class'],
    logLevel: v['log-level'],
    ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
    ...(v.master !== undefined ? { master: v.master } : {}),
  };
}
