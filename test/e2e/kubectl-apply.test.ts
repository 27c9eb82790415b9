// kubectl's write paths as a user sees them: apply of a directory, server-side apply, dry runs, diff,
// replace, edit, describe, label and annotate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const FILES: Record<string, string> = {
  '00-namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: store
`,
  '10-config.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: store
  labels: {app: store}
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: store
data:
  user: YWRtaW4=
`,
  '20-deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: store
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
`,
  '30-services.yaml': `apiVersion: v1
kind: Service
metadata: {name: web, namespace: store}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: store}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: 80}]
`,
};

/** Runs kubectl like LocalCluster.kubectl, with an extra environment (EDITOR for `kubectl edit`). */
function kubectlWithEnv(c: LocalCluster, args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: c.kubeconfig, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** True when the dotted IPv4 address is inside 10.96.0.0/12, kube-apiserver's default service range. */
function inServiceRange(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  return p[0] === 10 && (p[1]! & 0xf0) === 96;
}

describe('kubectl apply and friends against a local kubets cluster', () => {
  let c: LocalCluster;
  let dir: string;
  before(async () => {
    c = await startLocalCluster();
    dir = join(c.dir, 'manifests');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  });
  after(async () => {
    await c.stop();
  });

  test('apply -f dir/ creates every object in file order', () => {
    const r = c.kubectl(['apply', '-f', dir + '/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['namespace/store created', 'configmap/settings created', 'secret/creds created', 'deployment.apps/web created', 'service/web created', 'service/web-np created', ''].join('\n'),
    );
  });

  test('a ClusterIP service gets an address in 10.96.0.0/12 and a NodePort service a port in 30000-32767', () => {
    const r = c.kubectl(['get', 'svc', '-n', 'store', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.type} {.spec.clusterIP} {.spec.clusterIPs[0]} {.spec.ports[0].nodePort}{"\\n"}{end}']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
    assert.equal(lines.length, 2);
    const [web, np] = lines as [string[], string[]];
    assert.equal(web[0], 'web');
    assert.equal(web[1], 'ClusterIP');
    assert.ok(inServiceRange(web[2]!), `clusterIP ${web[2]}`);
    assert.equal(web[3], web[2], 'clusterIPs[0] equals clusterIP');
    assert.equal(web[4], '');
    assert.equal(np[1], 'NodePort');
    assert.ok(inServiceRange(np[2]!), `clusterIP ${np[2]}`);
    assert.notEqual(np[2], web[2]);
    const port = Number(np[4]);
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${np[4]}`);
    const table = c.kubectl(['get', 'svc', 'web-np', '-n', 'store', '--no-headers']);
    assert.match(table.stdout, new RegExp(`^web-np\\s+NodePort\\s+${np[2]!.replace(/\./g, '\\.')}\\s+<none>\\s+8080:${port}/TCP\\s+\\d+s\\n$`));
  });

  test('apply -f dir/ again reports every object unchanged', () => {
    const r = c.kubectl(['apply', '-f', dir + '/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l !== '').every((l) => l.endsWith(' unchanged')), true, r.stdout);
  });

  // kubectl validates a v1 List against /openapi/v2, which it asks for as protobuf only.
  test('apply -f of a kind: List file, as `kubectl get -o json` writes it, creates its items', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-list-a', namespace: 'store' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-list-b', namespace: 'store' } },
      ],
    });
    const r = c.kubectl(['apply', '-f', '-'], { input: list });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/from-list-a created\nconfigmap/from-list-b created\n');
  });

  test('describe deployment prints the upstream summary', async () => {
    // The controller-manager has made the ReplicaSet and the kubelets run its pods.
    const r = await pollUntil('web rolled out in describe', () => {
      const out = c.kubectl(['describe', 'deployment', 'web', '-n', 'store']);
      return out.code === 0 && /^NewReplicaSet:\s+web-\w+ \(2\/2 replicas created\)$/m.test(out.stdout) && /2 available/.test(out.stdout) ? out : undefined;
    });
    for (const line of [
      /^Name:\s+web$/m,
      /^Namespace:\s+store$/m,
      /^Labels:\s+app=web$/m,
      /^Selector:\s+app=web$/m,
      /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m,
      /^StrategyType:\s+RollingUpdate$/m,
      /^MinReadySeconds:\s+0$/m,
      /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m,
      /^ {3}nginx:\n {4}Image:\s+nginx:1\.27\n {4}Port:\s+80\/TCP\n/m,
      /^ {2}Available\s+True\s+MinimumReplicasAvailable$/m,
      /^ {2}Progressing\s+True\s+NewReplicaSetAvailable$/m,
      /^ {2}Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-\w+ from 0 to 2$/m,
    ]) {
      assert.match(r.stdout, line);
    }
  });

  test('describe configmap prints its data and describe namespace its status', () => {
    const cm = c.kubectl(['describe', 'configmap', 'settings', '-n', 'store']);
    assert.equal(cm.code, 0, cm.stderr);
    assert.match(cm.stdout, /^Name:\s+settings\nNamespace:\s+store\nLabels:\s+app=store\nAnnotations:\s+<none>\n\nData\n====\ncolor:\n----\nblue\n/);
    const ns = c.kubectl(['describe', 'namespace', 'store']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^Name:\s+store\nLabels:\s+kubernetes\.io\/metadata\.name=store\nAnnotations:\s+<none>\nStatus:\s+Active\n\nNo resource quota\.\n\nNo LimitRange resource\.\n$/);
  });

  test('apply --server-side creates an object owned by the kubectl field manager', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: store\ndata:\n  owner: first\n';
    const r = c.kubectl(['apply', '--server-side', '-f', '-'], { input: cm });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/ssa serverside-applied\n');
    const mf = c.kubectl(['get', 'cm', 'ssa', '-n', 'store', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}{"\\n"}{end}']);
    assert.equal(mf.stdout, 'kubectl/Apply\n');
  });

  test('apply --server-side by another field manager conflicts, and --force-conflicts takes the field over', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: store\ndata:\n  owner: second\n';
    const r = c.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: cm });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.owner/);
    assert.match(r.stderr, /Please review the fields above--they currently have other managers/);
    const forced = c.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: cm });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, 'configmap/ssa serverside-applied\n');
    const after = c.kubectl(['get', 'cm', 'ssa', '-n', 'store', '-o', 'jsonpath={.data.owner} {range .metadata.managedFields[*]}{.manager},{end}']);
    assert.equal(after.stdout, 'second other,');
  });

  test('apply --dry-run=server validates and reports without storing', () => {
    const changed = FILES['10-config.yaml']!.replace('color: blue', 'color: red');
    const r = c.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: changed });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/settings configured (server dry run)\nsecret/creds unchanged (server dry run)\n');
    assert.equal(c.kubectl(['get', 'cm', 'settings', '-n', 'store', '-o', 'jsonpath={.data.color}']).stdout, 'blue');
    const created = c.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: phantom\n  namespace: store\n' });
    assert.equal(created.stdout, 'configmap/phantom created (server dry run)\n');
    const gone = c.kubectl(['get', 'cm', 'phantom', '-n', 'store']);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): configmaps "phantom" not found');
  });

  test('diff shows the change a manifest would make and exits 1, and exits 0 when nothing differs', () => {
    const same = c.kubectl(['diff', '-f', join(dir, '10-config.yaml')]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.equal(same.stdout, '');
    const changed = FILES['10-config.yaml']!.replace('color: blue', 'color: green');
    const r = c.kubectl(['diff', '-f', '-'], { input: changed });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^- {2}color: blue$/m);
    assert.match(r.stdout, /^\+ {2}color: green$/m);
    assert.doesNotMatch(r.stdout, /creds/, 'the unchanged secret is not in the diff');
  });

  test('replace puts the whole object and a stale resourceVersion is a conflict', () => {
    const live = c.kubectl(['get', 'cm', 'settings', '-n', 'store', '-o', 'yaml']).stdout;
    const r = c.kubectl(['replace', '-f', '-'], { input: live.replace('color: blue', 'color: yellow') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/settings replaced\n');
    const stale = c.kubectl(['replace', '-f', '-'], { input: live.replace('color: blue', 'color: purple') });
    assert.equal(stale.code, 1);
    assert.equal(
      stale.stderr.trim(),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal(c.kubectl(['get', 'cm', 'settings', '-n', 'store', '-o', 'jsonpath={.data.color}']).stdout, 'yellow');
  });

  test('edit runs $EDITOR on the live object and saves the result', () => {
    const editor = join(c.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i -e "s/color: yellow/color: orange/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = kubectlWithEnv(c, ['edit', 'cm', 'settings', '-n', 'store'], { EDITOR: editor });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/settings edited\n');
    assert.equal(c.kubectl(['get', 'cm', 'settings', '-n', 'store', '-o', 'jsonpath={.data.color}']).stdout, 'orange');
    const noop = kubectlWithEnv(c, ['edit', 'cm', 'settings', '-n', 'store'], { EDITOR: 'true' });
    assert.equal(noop.code, 0, noop.stderr);
    assert.equal(noop.stdout, '');
    assert.equal(noop.stderr, 'Edit cancelled, no changes made.\n');
  });

  test('label needs --overwrite to change a value and annotate KEY- removes an annotation', () => {
    const clash = c.kubectl(['label', 'cm', 'settings', '-n', 'store', 'app=shop']);
    assert.equal(clash.code, 1);
    assert.equal(clash.stderr.trim(), "error: 'app' already has a value (store), and --overwrite is false");
    assert.equal(c.kubectl(['label', 'cm', 'settings', '-n', 'store', 'app=shop', '--overwrite']).stdout, 'configmap/settings labeled\n');
    assert.equal(c.kubectl(['annotate', 'cm', 'settings', '-n', 'store', 'note=temporary']).stdout, 'configmap/settings annotated\n');
    assert.equal(c.kubectl(['annotate', 'cm', 'settings', '-n', 'store', 'note-']).stdout, 'configmap/settings annotated\n');
    assert.equal(c.kubectl(['label', 'cm', 'settings', '-n', 'store', 'app-']).stdout, 'configmap/settings unlabeled\n');
    const r = c.kubectl(['get', 'cm', 'settings', '-n', 'store', '-o', 'jsonpath={.metadata.labels}|{.metadata.annotations.note}']);
    assert.equal(r.stdout, '|');
  });
});
