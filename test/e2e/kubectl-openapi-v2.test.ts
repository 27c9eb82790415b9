// kubectl's OpenAPI v2 paths against a local cluster: client-side validation of `kind: List`
// files (which fetches /openapi/v2 as gnostic protobuf) and `kubectl explain` with openapiv2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

function listOf(ns: string, replicasKey = 'replicas', extraConfigMapKey?: string): string {
  const configMap: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { color: 'blue' } };
  if (extraConfigMapKey) configMap[extraConfigMapKey] = {};
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    metadata: {},
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
        spec: {
          [replicasKey]: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] } },
      configMap,
    ],
  });
}

describe('kubectl with OpenAPI v2', () => {
  let cluster: LocalCluster;

  before(async () => {
    cluster = await startLocalCluster();
    for (const ns of ['lists', 'typos', 'yaml-lists']) {
      const r = cluster.kubectl(['create', 'namespace', ns]);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  test('apply -f of a kind: List JSON file creates every item', () => {
    const file = join(cluster.dir, 'list.json');
    writeFileSync(file, listOf('lists'));
    const r = cluster.kubectl(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/web created\nservice/web created\nconfigmap/settings created\n');
    const got = cluster.kubectl(['get', 'deployment/web', 'service/web', 'configmap/settings', '-n', 'lists', '-o', 'name']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, 'deployment.apps/web\nservice/web\nconfigmap/settings\n');
  });

  test('the List that get -o json writes applies back unchanged', () => {
    // The dump carries resourceVersions: a Deployment still rolling out changes its status under
    // the apply and kubectl rightly reports a conflict. Dump it once it is quiet.
    const rolled = cluster.kubectl(['rollout', 'status', 'deployment/web', '-n', 'lists', '--timeout=60s']);
    assert.equal(rolled.code, 0, rolled.stderr);
    const dumped = cluster.kubectl(['get', 'deployment/web', 'service/web', 'configmap/settings', '-n', 'lists', '-o', 'json']);
    assert.equal(dumped.code, 0, dumped.stderr);
    assert.equal((JSON.parse(dumped.stdout) as { kind: string }).kind, 'List');
    const file = join(cluster.dir, 'dumped.json');
    writeFileSync(file, dumped.stdout);
    const r = cluster.kubectl(['apply', '--validate=true', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deployment\.apps\/web (configured|unchanged)\nservice\/web (configured|unchanged)\nconfigmap\/settings (configured|unchanged)\n$/);
  });

  test('unknown fields in List items are reported as kubectl reports them and nothing is created', () => {
    const file = join(cluster.dir, 'typos.json');
    writeFileSync(file, listOf('typos', 'replicass', 'dataa'));
    const r = cluster.kubectl(['apply', '--validate=strict', '-f', file]);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr,
      `error: error validating "${file}": error validating data: [ValidationError(Deployment.spec): unknown field "replicass" in io.k8s.api.apps.v1.DeploymentSpec, ` +
        'ValidationError(ConfigMap): unknown field "dataa" in io.k8s.api.core.v1.ConfigMap]; if you choose to ignore these errors, turn validation off with --validate=false\n',
    );
    const got = cluster.kubectl(['get', 'deployments,services,configmaps', '-n', 'typos', '-o', 'name']);
    assert.equal(got.code, 0, got.stderr);
    assert.doesNotMatch(got.stdout, /web|settings/);
  });

  test('create -f of a YAML List validates nested fields and types of each item', () => {
    const bad = join(cluster.dir, 'bad-list.yaml');
    writeFileSync(
      bad,
      `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p, namespace: yaml-lists}
  spec:
    containers:
    - name: c
      image: busybox
      ports: [{containerPortt: 80}]
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d, namespace: yaml-lists}
  spec:
    replicas: "one"
    selector: {matchLabels: {app: d}}
    template:
      metadata: {labels: {app: d}}
      spec: {containers: [{name: c, image: busybox}]}
`,
    );
    const r = cluster.kubectl(['create', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidationError\(Pod\.spec\.containers\[0\]\.ports\[0\]\): unknown field "containerPortt" in io\.k8s\.api\.core\.v1\.ContainerPort/);
    assert.match(r.stderr, /ValidationError\(Pod\.spec\.containers\[0\]\.ports\[0\]\): missing required field "containerPort" in io\.k8s\.api\.core\.v1\.ContainerPort/);
    assert.match(r.stderr, /ValidationError\(Deployment\.spec\.replicas\): invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/);

    const good = join(cluster.dir, 'good-list.yaml');
    writeFileSync(
      good,
      `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: one, namespace: yaml-lists}
  data: {a: b}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: two, namespace: yaml-lists}
`,
    );
    const ok = cluster.kubectl(['create', '--validate=true', '-f', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'configmap/one created\nconfigmap/two created\n');
  });

  test('explain with plaintext-openapiv2 prints the fields of deployment.spec', () => {
    const r = cluster.kubectl(['explain', '--output=plaintext-openapiv2', 'deployment.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^KIND:\s+Deployment\nVERSION:\s+apps\/v1\n/);
    assert.match(r.stdout, /\n {3}replicas\t<integer>\n/);
    assert.match(r.stdout, /\n {3}selector\t<Object> -required-\n/);
  });
});
