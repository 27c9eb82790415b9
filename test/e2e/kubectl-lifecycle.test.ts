// Deleting, waiting, namespaces, cluster info and the errors a kubectl user reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: life
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

function configMap(name: string, labels: Record<string, string>, namespace = 'life'): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels } });
}

/** Starts kubectl in the background (for `wait`), resolving with its result when it exits. */
function kubectlAsync(c: LocalCluster, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kubectl lifecycle and errors against a local kubets cluster', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
    const r = c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: life\n' });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await c.stop();
  });

  test('version reports a v1.32 server', () => {
    const r = c.kubectl(['version', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { serverVersion: { major: string; minor: string; gitVersion: string; platform: string } };
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.serverVersion.gitVersion, /^v1\.32\.\d+/);
    assert.match(c.kubectl(['version']).stdout, /^Server Version: v1\.32\.\d+\S*$/m);
  });

  test('cluster-info names the control plane URL from the kubeconfig', () => {
    const server = c.kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']).stdout;
    const r = c.kubectl(['cluster-info']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `Kubernetes control plane is running at ${server}`);
  });

  test('get --raw reads the health endpoints', () => {
    assert.equal(c.kubectl(['get', '--raw', '/readyz']).stdout, 'ok');
    assert.equal(c.kubectl(['get', '--raw', '/livez']).stdout, 'ok');
    const verbose = c.kubectl(['get', '--raw', '/readyz?verbose']).stdout;
    assert.match(verbose, /^\[\+\]ping ok$/m);
    assert.match(verbose, /^\[\+\]etcd ok$/m);
    assert.match(verbose, /readyz check passed\n?$/);
  });

  test('delete -l deletes exactly the matching objects', () => {
    const input = [configMap('keep', { app: 'keep' }), configMap('drop-a', { app: 'drop' }), configMap('drop-b', { app: 'drop', extra: 'x' })].join('\n');
    assert.equal(c.kubectl(['apply', '-f', '-'], { input }).code, 0);
    const r = c.kubectl(['delete', 'cm', '-n', 'life', '-l', 'app in (drop)']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap "drop-a" deleted\nconfigmap "drop-b" deleted\n');
    assert.equal(c.kubectl(['get', 'cm', '-n', 'life', '-l', 'app', '-o', 'name']).stdout, 'configmap/keep\n');
    const none = c.kubectl(['delete', 'cm', '-n', 'life', '-l', 'app=drop']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'No resources found\n');
  });

  /** Applies the Deployment and waits until its ReplicaSet and pod exist (the controllers made them). */
  const deployed = async (): Promise<string> => {
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: DEPLOYMENT }).code, 0);
    return pollUntil('the ReplicaSet and pod of web', () => {
      const rs = c.kubectl(['get', 'rs', '-n', 'life', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}']).stdout;
      const pods = c.kubectl(['get', 'pods', '-n', 'life', '-l', 'app=web', '-o', 'name']).stdout;
      return rs !== '' && pods !== '' ? rs : undefined;
    });
  };
  const leftOf = (kinds: string): string => c.kubectl(['get', kinds, '-n', 'life', '-l', 'app=web', '-o', 'name']).stdout;

  test('delete --cascade=foreground returns once the ReplicaSet and pods went first, then the Deployment', async () => {
    await deployed();
    const r = c.kubectl(['delete', 'deployment', 'web', '-n', 'life', '--cascade=foreground', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps "web" deleted\n');
    assert.equal(c.kubectl(['get', 'deployment', 'web', '-n', 'life']).stderr.trim(), 'Error from server (NotFound): deployments.apps "web" not found');
    assert.equal(leftOf('rs,pods'), '', 'nothing of it remains');
  });

  test('delete --cascade=background (the default) removes the Deployment at once and the garbage collector its ReplicaSet and pods', async () => {
    await deployed();
    const r = c.kubectl(['delete', 'deployment', 'web', '-n', 'life']);
    assert.equal(r.code, 0, r.stderr);
    await pollUntil('the ReplicaSet and pods of web to be collected', () => (leftOf('rs,pods') === '' ? true : undefined));
  });

  test('delete --cascade=orphan leaves the ReplicaSet and its pods, no longer owned', async () => {
    const rs = await deployed();
    const r = c.kubectl(['delete', 'deployment', 'web', '-n', 'life', '--cascade=orphan']);
    assert.equal(r.code, 0, r.stderr);
    await pollUntil('the orphaned ReplicaSet to lose its owner', () => (c.kubectl(['get', 'rs', rs, '-n', 'life', '-o', 'jsonpath={.metadata.ownerReferences}']).stdout === '' ? true : undefined));
    await sleep(1000);
    assert.equal(c.kubectl(['get', 'rs', rs, '-n', 'life', '-o', 'name']).stdout, `replicaset.apps/${rs}\n`, 'the ReplicaSet stays');
    assert.notEqual(leftOf('pods'), '', 'and so do its pods');
    assert.equal(c.kubectl(['delete', 'rs', rs, '-n', 'life']).code, 0);
  });

  test('wait --for=jsonpath returns once the field has the value and times out otherwise', async () => {
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: configMap('phase', {}) }).code, 0);
    const waiting = kubectlAsync(c, ['wait', '--for=jsonpath={.data.phase}=ready', 'cm/phase', '-n', 'life', '--timeout=30s']);
    await sleep(1000);
    assert.equal(c.kubectl(['patch', 'cm', 'phase', '-n', 'life', '--type=merge', '-p', '{"data":{"phase":"ready"}}']).code, 0);
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, 'configmap/phase condition met\n');
    const timeout = c.kubectl(['wait', '--for=jsonpath={.data.phase}=never', 'cm/phase', '-n', 'life', '--timeout=1s']);
    assert.equal(timeout.code, 1);
    assert.equal(timeout.stderr.trim().split('\n').at(-1), 'error: timed out waiting for the condition on configmaps/phase');
  });

  test('deleting a namespace empties it; content held by a finalizer keeps it Terminating, reported in its conditions, and new content is refused', async () => {
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed\n' }).stdout, 'namespace/doomed created\n');
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: configMap('inside', {}, 'doomed') }).code, 0);
    const held = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] } });
    assert.equal(c.kubectl(['create', '-f', '-'], { input: held }).code, 0);
    const r = c.kubectl(['delete', 'namespace', 'doomed', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'namespace "doomed" deleted\n');
    const message = (type: string): string => c.kubectl(['get', 'ns', 'doomed', '-o', `jsonpath={.status.conditions[?(@.type=="${type}")].message}`]).stdout;
    await pollUntil('the namespace controller to report what remains', () => (message('NamespaceFinalizersRemaining').startsWith('Some content') ? true : undefined));
    assert.equal(message('NamespaceFinalizersRemaining'), 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(message('NamespaceContentRemaining'), 'Some resources are remaining: configmaps has 1 resource instances');
    assert.match(c.kubectl(['get', 'namespace', 'doomed', '--no-headers']).stdout, /^doomed\s+Terminating\s+\d+s\n$/);
    assert.equal(c.kubectl(['get', 'ns', 'doomed', '-o', 'jsonpath={.status.phase} {.spec.finalizers}']).stdout, 'Terminating ["kubernetes"]');
    assert.equal(c.kubectl(['get', 'cm', '-n', 'doomed', '-o', 'jsonpath={.items[*].metadata.name}']).stdout, 'held', 'the rest of its content is gone');
    const create = c.kubectl(['create', '-f', '-'], { input: configMap('late', {}, 'doomed') });
    assert.equal(create.code, 1);
    assert.equal(
      create.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    // The finalizer's owner lets go: the namespace goes too.
    const waiting = kubectlAsync(c, ['wait', '--for=delete', 'namespace/doomed', '--timeout=30s']);
    assert.equal(c.kubectl(['patch', 'cm', 'held', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']).code, 0);
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);
  });

  test('kubectl delete namespace with content inside completes', () => {
    assert.equal(c.kubectl(['create', 'namespace', 'full']).code, 0);
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: configMap('one', {}, 'full') }).code, 0);
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: DEPLOYMENT.replace('namespace: life', 'namespace: full') }).code, 0);
    const r = c.kubectl(['delete', 'namespace', 'full', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'namespace "full" deleted\n');
    assert.equal(c.kubectl(['get', 'namespace', 'full']).stderr.trim(), 'Error from server (NotFound): namespaces "full" not found');
  });

  test('an invalid field value is reported as kube-apiserver words it', () => {
    const r = c.kubectl(['apply', '-f', '-'], { input: DEPLOYMENT.replace('name: web', 'name: negative').replace('replicas: 1', 'replicas: -1') });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The Deployment "negative" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  test('changing a Deployment selector is refused as immutable', () => {
    const base = DEPLOYMENT.replace('name: web', 'name: fixed');
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: base }).code, 0);
    const r = c.kubectl(['apply', '-f', '-'], { input: base.replace(/app: web/g, 'app: other') });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Deployment "fixed" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  test('a missing namespace and an existing name are reported as NotFound and AlreadyExists', () => {
    const missing = c.kubectl(['apply', '-f', '-'], { input: configMap('x', {}, 'nowhere') });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found');
    const list = c.kubectl(['get', 'cm', '-n', 'nowhere']);
    assert.equal(list.code, 0);
    assert.equal(list.stderr.trim(), 'No resources found in nowhere namespace.');
    const dup = c.kubectl(['create', '-f', '-'], { input: configMap('keep', {}) });
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr.trim(), 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "keep" already exists');
  });
});
