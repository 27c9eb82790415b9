// The Deployment and ReplicaSet controllers together on a real apiserver, driven with kubectl the
// way users roll out: create, set image, rollout status/history/undo/pause/resume/restart, scale.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentControllerDefinition } from '../../../pkg/controller/deployment/index.js';
import { replicaSetControllerDefinition } from '../../../pkg/controller/replicaset/index.js';
import { startControllerHarness, type ControllerHarness } from '../../helpers/controller-harness.js';

describe('Deployment rollouts on a real apiserver', () => {
  let h: ControllerHarness;
  let kubelet: NodeJS.Timeout | undefined;
  let stopped = false;
  let peak = 0;
  before(async () => {
    h = await startControllerHarness([deploymentControllerDefinition, replicaSetControllerDefinition]);
    // The kubelet's part: pods become ready, deleted pods go; and count pods alive at once.
    const tick = async (): Promise<void> => {
      await h.setPodsReady('default', 'app=web').catch(() => 0);
      await h.finalizePods('default').catch(() => 0);
      const alive = (await h.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.deletionTimestamp}{"|"}{end}'])).stdout.split('|').filter((x) => x === '').length - 1;
      peak = Math.max(peak, alive);
      // A tick in flight when the suite ends must not schedule another (the process would never exit).
      if (!stopped) kubelet = setTimeout(() => void tick(), 150);
    };
    void tick();
  });
  after(async () => {
    stopped = true;
    if (kubelet !== undefined) clearTimeout(kubelet);
    await h.stop();
  });

  const rsNames = async (): Promise<string[]> => (await h.kubectlOk(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter((s) => s !== '').sort();

  test('kubectl create deployment rolls out: rollout status completes and get shows 4/4', async () => {
    await h.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
    const out = await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(out, /deployment "web" successfully rolled out/);
    const row = await h.kubectlOk(['get', 'deployment', 'web', '--no-headers']);
    assert.match(row, /^web\s+4\/4\s+4\s+4\s+/);
    const [rs] = await rsNames();
    assert.match(rs!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const hash = await h.kubectlOk(['get', 'rs', rs!, '-o', 'jsonpath={.metadata.labels.pod-template-hash}']);
    assert.equal(rs, `web-${hash}`);
  });

  test('kubectl set image rolls to a new ReplicaSet within maxSurge, and rollout history lists both revisions', async () => {
    peak = 0;
    // Annotated after the change, as users do: the cause lands on the new ReplicaSet only (annotating
    // first would, as upstream, copy it onto the revision still current at that moment).
    await h.kubectlOk(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    await h.kubectlOk(['annotate', 'deployment', 'web', 'kubernetes.io/change-cause=upgrade to 1.28']);
    const out = await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(out, /successfully rolled out/);
    // 4 replicas, 25% surge rounds up to 1: never more than 5 pods.
    assert.ok(peak <= 5, `at most 5 pods at once, saw ${peak}`);
    assert.equal((await rsNames()).length, 2);
    const history = await h.kubectlOk(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+upgrade to 1.28$/m);
    const describe = await h.kubectlOk(['describe', 'deployment', 'web']);
    assert.match(describe, /Progressing\s+True\s+NewReplicaSetAvailable/);
    assert.match(describe, /Available\s+True\s+MinimumReplicasAvailable/);
    assert.match(describe, /ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-\w+ from 0 to 1/);
    assert.match(describe, /Scaled down replica set web-\w+ from \d to \d/);
  });

  test('kubectl rollout undo goes back to the first template as revision 3', async () => {
    await h.kubectlOk(['rollout', 'undo', 'deployment/web']);
    await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(await h.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
    assert.equal(await h.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), '3');
    assert.equal((await rsNames()).length, 2, 'the old ReplicaSet was reused, not a third made');
  });

  test('paused: a template change waits until resume; restart makes a new ReplicaSet', async () => {
    await h.kubectlOk(['rollout', 'pause', 'deployment/web']);
    await h.kubectlOk(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
    await h.waitFor('the Progressing condition to say paused', async () => ((await h.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}'])) === 'DeploymentPaused' ? true : undefined));
    assert.equal((await rsNames()).length, 2, 'no new ReplicaSet while paused');
    await h.kubectlOk(['rollout', 'resume', 'deployment/web']);
    await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal((await rsNames()).length, 3);
    await h.kubectlOk(['rollout', 'restart', 'deployment/web']);
    await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal((await rsNames()).length, 4);
  });

  test('kubectl scale resizes the current ReplicaSet', async () => {
    await h.kubectlOk(['scale', 'deployment/web', '--replicas=6']);
    await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const row = await h.kubectlOk(['get', 'deployment', 'web', '--no-headers']);
    assert.match(row, /^web\s+6\/6\s+6\s+6\s+/);
  });

  test('Recreate scales the old ReplicaSet to zero before the new one starts', async () => {
    await h.kubectlOk(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}']);
    peak = 0;
    await h.kubectlOk(['set', 'image', 'deployment/web', 'nginx=nginx:1.30']);
    await h.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.ok(peak <= 6, `never more than replicas pods, saw ${peak}`);
  });
});
