// A StatefulSet as a kubectl user runs it on `npm start` (the manifest of the upstream tutorial):
// pods web-0, web-1, web-2 made in order with stable hostnames and one claim each, a rolling update
// from the top with rollout status/history/undo, a partitioned update, a deleted pod coming back
// under its name, ordered scale-down, and claims kept when the set is deleted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

/** The README's example: a headless Service and a StatefulSet of 2, as in the upstream tutorial. */
const WEB = readFileSync(join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'examples', 'web.yaml'), 'utf8');

describe('a StatefulSet', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  /** name=image=phase of each web pod not being deleted, sorted by name. */
  const pods = (): string[] =>
    c
      .kubectlOk(['get', 'pods', '-l', 'app=nginx', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}={.status.phase}={.metadata.deletionTimestamp} {end}'])
      .trim()
      .split(' ')
      .filter((s) => s.endsWith('='))
      .map((s) => s.slice(0, -1))
      .sort();

  test('makes its pods in order with stable names, hostnames and claims, rolls updates from the top, and keeps the claims when deleted', async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: WEB });
    assert.match(c.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=60s']), /partitioned roll out complete: 2 new pods have been updated/);
    c.kubectlOk(['scale', 'statefulset', 'web', '--replicas=3']);
    c.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.deepEqual(pods(), ['web-0=registry.k8s.io/nginx-slim:0.24=Running', 'web-1=registry.k8s.io/nginx-slim:0.24=Running', 'web-2=registry.k8s.io/nginx-slim:0.24=Running']);
    assert.match(c.kubectlOk(['get', 'statefulset', 'web']), /^web\s+3\/3\s/m);
    assert.equal(c.kubectlOk(['get', 'pod', 'web-1', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain} {.metadata.labels.statefulset\\.kubernetes\\.io/pod-name} {.metadata.labels.apps\\.kubernetes\\.io/pod-index} {.spec.volumes[0].persistentVolumeClaim.claimName}']), 'web-1.nginx web-1 1 www-web-1');
    assert.deepEqual(c.kubectlOk(['get', 'pvc', '-o', 'name']).trim().split('\n'), ['persistentvolumeclaim/www-web-0', 'persistentvolumeclaim/www-web-1', 'persistentvolumeclaim/www-web-2']);
    // The claims name no class: the default one (standard) has the nodes' CSI driver provision them.
    assert.deepEqual(c.kubectlOk(['get', 'pvc', '-o', 'jsonpath={range .items[*]}{.status.phase}/{.spec.storageClassName} {end}']).trim().split(' '), ['Bound/standard', 'Bound/standard', 'Bound/standard']);
    // OrderedReady: web-1 was made only after web-0 ran, web-2 after web-1.
    const created = c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet', '--sort-by=.metadata.creationTimestamp', '-o', 'jsonpath={range .items[*]}{.message}|{end}']);
    assert.match(created, /create Pod web-0 in StatefulSet web successful\|.*create Pod web-1 in StatefulSet web successful\|.*create Pod web-2 in StatefulSet web successful/);
    assert.match(c.kubectlOk(['describe', 'statefulset', 'web']), /create Claim www-web-0 Pod web-0 in StatefulSet web success/);
    assert.match(c.kubectlOk(['get', 'endpoints', 'nginx']), /(\d+\.\d+\.\d+\.\d+:80,?){3}/);

    // A rolling update: highest ordinal first, recorded in the history, then undone.
    c.kubectlOk(['set', 'image', 'statefulset/web', 'nginx=registry.k8s.io/nginx-slim:0.25']);
    const rolled = c.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    assert.match(rolled, /partitioned roll out complete: 3 new pods have been updated/);
    assert.deepEqual(pods(), ['web-0=registry.k8s.io/nginx-slim:0.25=Running', 'web-1=registry.k8s.io/nginx-slim:0.25=Running', 'web-2=registry.k8s.io/nginx-slim:0.25=Running']);
    const deletions = c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet,reason=SuccessfulDelete', '--sort-by=.metadata.creationTimestamp', '-o', 'jsonpath={range .items[*]}{.message}|{end}']);
    assert.equal(deletions, 'delete Pod web-2 in StatefulSet web successful|delete Pod web-1 in StatefulSet web successful|delete Pod web-0 in StatefulSet web successful|');
    const status = c.kubectlOk(['get', 'statefulset', 'web', '-o', 'jsonpath={.status.currentRevision}={.status.updateRevision} {.status.updatedReplicas}']);
    assert.match(status, /^(web-\w+)=\1 3$/);
    assert.match(c.kubectlOk(['rollout', 'history', 'statefulset/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    c.kubectlOk(['rollout', 'undo', 'statefulset/web']);
    c.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    await pollUntil('every pod back on 0.24', () => (pods().every((p) => p.endsWith('=registry.k8s.io/nginx-slim:0.24=Running')) && pods().length === 3 ? true : undefined), 60_000, 500);
    assert.match(c.kubectlOk(['rollout', 'history', 'statefulset/web']), /\n2\s+<none>\n3\s+<none>/);

    // A partitioned update leaves the ordinals below the partition alone.
    c.kubectlOk(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}']);
    c.kubectlOk(['set', 'image', 'statefulset/web', 'nginx=registry.k8s.io/nginx-slim:0.26']);
    assert.match(c.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=60s']), /partitioned roll out complete: 1 new pods have been updated/);
    await pollUntil('web-2 on 0.26', () => (pods().includes('web-2=registry.k8s.io/nginx-slim:0.26=Running') ? true : undefined), 60_000, 500);
    assert.deepEqual(pods().slice(0, 2), ['web-0=registry.k8s.io/nginx-slim:0.24=Running', 'web-1=registry.k8s.io/nginx-slim:0.24=Running']);

    // A deleted pod comes back under its name, with its claim.
    const uid = c.kubectlOk(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}']);
    c.kubectlOk(['delete', 'pod', 'web-0']);
    await pollUntil('web-0 back', () => {
      const r = c.kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid} {.status.phase} {.spec.volumes[0].persistentVolumeClaim.claimName}']);
      return r.code === 0 && !r.stdout.startsWith(uid) && r.stdout.endsWith(' Running www-web-0') ? true : undefined;
    }, 60_000, 500);

    // Ordered scale-down: highest first; the claims stay (whenScaled: Retain).
    c.kubectlOk(['scale', 'statefulset', 'web', '--replicas=1']);
    await pollUntil('one pod left', () => (pods().length === 1 && pods()[0]!.startsWith('web-0=') ? true : undefined), 60_000, 500);
    assert.equal(c.kubectlOk(['get', 'pvc', '-o', 'name']).trim().split('\n').length, 3);

    c.kubectlOk(['delete', 'statefulset', 'web']);
    await pollUntil('pods gone with the set', () => (c.kubectlOk(['get', 'pods', '-l', 'app=nginx', '-o', 'name']).trim() === '' ? true : undefined), 60_000, 500);
    assert.equal(c.kubectlOk(['get', 'pvc', '-o', 'name']).trim().split('\n').length, 3, 'whenDeleted: Retain keeps the claims');
  });
});
