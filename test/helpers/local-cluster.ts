// Starts `npm start`'s launcher (dist/cmd/cluster/main.js) in a temp dir and runs the real kubectl against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './local-leaders.js';

export const distDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface LocalCluster {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly launcher: ChildProcess;
  /** Runs kubectl with the cluster's kubeconfig; never throws on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string }): { code: number; stdout: string; stderr: string };
  /** kubectl that must succeed: its stdout, or an error naming the command and its stderr. */
  kubectlOk(args: string[], opts?: { input?: string }): string;
  /**
   * Waits until every named node is registered with Ready=True. The launcher prints the
   * kubeconfig once the apiserver answers, before the kubelets register: a test that needs pods
   * spread over nodes waits for them first.
   */
  untilNodesReady(names: readonly string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalCluster(args: string[] = []): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-e2e-'));
  const launcher = spawn(process.execPath, [join(distDir, 'cmd', 'cluster', 'main.js'), '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  launcher.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const kubeconfig = await new Promise<string>((resolvePath, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster did not come up in 60s: ${out}\n${err}`)), 60_000);
    launcher.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export KUBECONFIG=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePath(m[1]!);
      }
    });
    launcher.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code}: ${out}\n${err}`));
    });
  });
  const cluster: LocalCluster = {
    dir,
    kubeconfig,
    launcher,
    kubectl(args, opts = {}) {
      const r = spawnSync('kubectl', args, {
        env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kubectl-cache') },
        input: opts.input ?? '',
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    kubectlOk(args, opts = {}) {
      const r = cluster.kubectl(args, opts);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    async untilNodesReady(names, timeoutMs = 60_000) {
      await pollUntil(`nodes ${names.join(', ')} Ready`, () => {
        const r = cluster.kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
        const ready = new Set(r.stdout.trim().split(' ').filter((s) => s.endsWith('=True')).map((s) => s.slice(0, -'=True'.length)));
        return names.every((n) => ready.has(n)) ? true : undefined;
      }, timeoutMs, 500);
    },
    async stop() {
      if (launcher.exitCode === null && launcher.signalCode === null) {
        const exited = new Promise((r) => launcher.once('exit', r));
        launcher.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
