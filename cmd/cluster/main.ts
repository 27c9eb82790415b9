// kubets local cluster: `npm start -- --dir DIR` runs etcd and the apiserver until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ClusterLauncher, defaultDistDir } from '../../pkg/cluster/launcher.js';

const USAGE = `Usage: npm start -- [--dir DIR]
  --dir DIR   where the cluster keeps etcd data, logs, pids and kubeconfig (default .kubets/)`;

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: process.argv.slice(2), strict: true, options: { dir: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (err) {
    process.stderr.write(`cluster: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const distDir = defaultDistDir();
  const dir = values.dir ?? resolve(distDir, '..', '.kubets');
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const launcher = new ClusterLauncher({ dir, distDir, out: (line) => process.stdout.write(line + '\n') });
  return launcher.run(root.signal);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cluster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
