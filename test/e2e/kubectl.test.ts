// What a kubectl user sees against `npm start`'s cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - name: A
          value: "1"
        - name: B
          value: "2"
`;

describe('kubectl against a local kubets cluster', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  test('api-resources lists the built-in kinds with short names', () => {
    const r = c.kubectl(['api-resources']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(r.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(r.stdout, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  test('apply creates a deployment and get prints the upstream columns', () => {
    const r = c.kubectl(['apply', '-f', '-'], { input: DEPLOYMENT });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web created');
    const get = c.kubectl(['get', 'deployment', 'web']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    // UP-TO-DATE is 0 or 2 depending on whether the Deployment controller already made the
    // ReplicaSet; nothing runs the pods (no kubelet), so none is ready or available.
    assert.match(get.stdout, /^web\s+0\/2\s+[02]\s+0\s+\d+s$/m);
    const wide = c.kubectl(['get', 'deployment', 'web', '-o', 'wide']);
    assert.match(wide.stdout, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide.stdout, /nginx\s+nginx:1\.27\s+app=web/);
  });

  test('apply again with a changed image and a removed env var updates element by element', () => {
    const changed = DEPLOYMENT.replace('nginx:1.27', 'nginx:1.28').replace(/ {8}- name: B\n {10}value: "2"\n/, '');
    const r = c.kubectl(['apply', '-f', '-'], { input: changed });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web configured');
    const env = c.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[*].name} {.metadata.generation}']);
    assert.equal(env.stdout, 'nginx:1.28 A 2');
    const same = c.kubectl(['apply', '-f', '-'], { input: changed });
    assert.equal(same.stdout.trim(), 'deployment.apps/web unchanged');
  });

  test('scale, label and annotate change the object as kubectl reports', () => {
    assert.equal(c.kubectl(['scale', 'deployment', 'web', '--replicas=5']).stdout.trim(), 'deployment.apps/web scaled');
    assert.equal(c.kubectl(['label', 'deployment', 'web', 'tier=frontend']).stdout.trim(), 'deployment.apps/web labeled');
    assert.equal(c.kubectl(['annotate', 'deployment', 'web', 'owner=team-a']).stdout.trim(), 'deployment.apps/web annotated');
    const r = c.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.tier} {.metadata.annotations.owner}']);
    assert.equal(r.stdout, '5 frontend team-a');
    const byLabel = c.kubectl(['get', 'deployments', '-l', 'tier in (frontend,backend)', '-o', 'name']);
    assert.equal(byLabel.stdout.trim(), 'deployment.apps/web');
  });

  test('patch with strategic, merge and json types', () => {
    assert.equal(c.kubectl(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.29"}]}}}}']).code, 0);
    assert.equal(c.kubectl(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"minReadySeconds":3}}']).code, 0);
    assert.equal(c.kubectl(['patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":4}]']).code, 0);
    const r = c.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.minReadySeconds} {.spec.revisionHistoryLimit}']);
    assert.equal(r.stdout, 'nginx:1.29 3 4');
  });

  test('invalid manifests get the upstream 422 message', () => {
    const bad = DEPLOYMENT.replace('name: web\n  labels', 'name: Web_1\n  labels');
    const r = c.kubectl(['apply', '-f', '-'], { input: bad });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of/);
  });

  test('unknown fields are refused by kubectl default strict validation', () => {
    const bad = DEPLOYMENT.replace('replicas: 2', 'replicas: 2\n  replica: 3').replace('name: web\n  labels', 'name: web-unknown\n  labels');
    const r = c.kubectl(['apply', '-f', '-'], { input: bad });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "spec.replica"/);
  });

  test('get of a missing object reports NotFound as kubectl prints it', () => {
    const r = c.kubectl(['get', 'configmap', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "nope" not found');
  });

  test('explain describes fields from the served OpenAPI', () => {
    const r = c.kubectl(['explain', 'deployment.spec.strategy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
  });

  test('get -w streams changes as they happen', async () => {
    c.kubectl(['create', 'configmap', 'watched', '--from-literal=a=1']);
    const child = spawn('kubectl', ['get', 'configmap', 'watched', '-w', '-o', 'jsonpath={.data.a}{"\\n"}'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    c.kubectl(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"a":"2"}}']);
    for (let i = 0; i < 50 && !out.includes('2\n'); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    assert.deepEqual(out.trim().split('\n'), ['1', '2']);
  });

  test('cordon, taint and drain work on a node (drain evicts through pods/eviction)', () => {
    const nodeAndPod = `apiVersion: v1
kind: Node
metadata:
  name: node-1
---
apiVersion: v1
kind: Pod
metadata:
  name: on-node-1
spec:
  nodeName: node-1
  containers:
  - name: c
    image: nginx:1.27
`;
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: nodeAndPod }).code, 0);
    assert.equal(c.kubectl(['cordon', 'node-1']).stdout.trim(), 'node/node-1 cordoned');
    assert.equal(c.kubectl(['taint', 'node', 'node-1', 'dedicated=infra:NoSchedule']).stdout.trim(), 'node/node-1 tainted');
    const r = c.kubectl(['drain', 'node-1', '--force', '--grace-period=0', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/on-node-1 (evicted|deleted)/);
    assert.match(r.stdout, /node\/node-1 drained/);
    assert.equal(c.kubectl(['get', 'pod', 'on-node-1']).code, 1);
    assert.equal(c.kubectl(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable} {.spec.taints[0].key}']).stdout, 'true dedicated');
  });

  test('delete removes the deployment and a second delete is NotFound', () => {
    const r = c.kubectl(['delete', 'deployment', 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps "web" deleted');
    const again = c.kubectl(['delete', 'deployment', 'web']);
    assert.equal(again.stderr.trim(), 'Error from server (NotFound): deployments.apps "web" not found');
  });
});
