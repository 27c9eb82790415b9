// kubets local cluster: `npm start -- --dir DIR` runs etcd, the apiservers, the schedulers, the controller-managers and the kubelets until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ClusterLauncher, defaultDistDir } from '../../pkg/cluster/launcher.js';

const USAGE = `Usage: npm start -- [--dir DIR] [--etcd-members N] [--apiservers N] [--schedulers N] [--controller-managers N] [--nodes N] [--runtime fake|containerd] [--no-restart-crashed]
                     [--controller-manager-arg FLAG ...]
  --dir DIR            where the cluster keeps etcd data, logs, pids and kubeconfig (default .kubets/)
  --etcd-members N     members of the etcd cluster (default 1)
  --apiservers N       apiserver replicas (default 1)
  --schedulers N       scheduler replicas, one leader elected among them (default 2; 0 for none)
  --controller-managers N
                       controller-manager replicas, one leader elected among them (default 2; 0 for none)
  --nodes N            kubelets, each a node running pods on a runtime of its own (default 2; 0 to 99)
  --runtime fake|containerd
                       what the nodes run pods on: fake (default), a simulated runtime; containerd, real
                       containers (each node starts a containerd of its own; needs root, containerd, runc
                       and Debian's containernetworking-plugins)
  --controller-manager-arg FLAG
                       a flag for every controller-manager, repeatable
                       (e.g. --controller-manager-arg=--node-monitor-grace-period=20s)
  --no-restart-crashed leave a component that exits stopped (by default it is started again, with backoff;
                       --restart-crashed, the old opt-in, is still accepted)`;

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        dir: { type: 'string' },
        'etcd-members': { type: 'string', default: '1' },
        apiservers: { type: 'string', default: '1' },
        schedulers: { type: 'string', default: '2' },
        'controller-managers': { type: 'string', default: '2' },
        nodes: { type: 'string', default: '2' },
        runtime: { type: 'string', default: 'fake' },
        'restart-crashed': { type: 'boolean' },
        'no-restart-crashed': { type: 'boolean' },
        'controller-manager-arg': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`cluster: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const count = (flag: 'etcd-members' | 'apiservers'): number | undefined => {
    const n = Number(values[flag]);
    return Number.isInteger(n) && n >= 1 && n <= 9 ? n : undefined;
  };
  const etcdMembers = count('etcd-members');
  const apiservers = count('apiservers');
  const replicas = (flag: 'schedulers' | 'controller-managers' | 'nodes'): number | undefined => {
    const n = Number(values[flag]);
    return Number.isInteger(n) && n >= 0 && n <= (flag === 'nodes' ? 99 : 9) ? n : undefined;
  };
  const schedulers = replicas('schedulers');
  const controllerManagers = replicas('controller-managers');
  const nodes = replicas('nodes');
  if (schedulers === undefined || controllerManagers === undefined || nodes === undefined) {
    process.stderr.write(`cluster: --schedulers and --controller-managers take a number from 0 to 9, --nodes from 0 to 99\n${USAGE}\n`);
    return 2;
  }
  if (etcdMembers === undefined || apiservers === undefined) {
    process.stderr.write(`cluster: --etcd-members and --apiservers take a number from 1 to 9\n${USAGE}\n`);
    return 2;
  }
  const runtime = values.runtime;
  if (runtime !== 'fake' && runtime !== 'containerd') {
    process.stderr.write(`cluster: --runtime takes fake or containerd, not ${JSON.stringify(runtime)}\n${USAGE}\n`);
    return 2;
  }
  const distDir = defaultDistDir();
  const dir = values.dir ?? resolve(distDir, '..', '.kubets');
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const launcher = new ClusterLauncher({
    dir,
    distDir,
    etcdMembers,
    apiservers,
    schedulers,
    controllerManagers,
    nodes,
    runtime,
    restartCrashed: values['no-restart-crashed'] !== true,
    controllerManagerArgs: values['controller-manager-arg'] ?? [],
    out: (line) => process.stdout.write(line + '\n'),
  });
  return launcher.run(root.signal);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cluster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
