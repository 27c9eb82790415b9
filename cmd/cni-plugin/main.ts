// The "kubets" CNI plugin executable: containerd runs it per sandbox; it asks the node's CNI service.
import { runPlugin } from '../../pkg/cni/plugin.js';

const chunks: Buffer[] = [];
process.stdin.on('data', (c: Buffer) => chunks.push(c));
process.stdin.on('end', () => {
  runPlugin({ env: process.env, stdin: Buffer.concat(chunks).toString() }).then(
    ({ stdout, code }) => {
      process.stdout.write(stdout);
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', code: 999, msg: err instanceof Error ? err.message : String(err) }));
      process.exitCode = 1;
    },
  );
});
