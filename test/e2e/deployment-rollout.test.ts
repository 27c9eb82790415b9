// Rolling out Deployments on `npm start` as a user does, with every piece real: the
// controller-manager's Deployment and ReplicaSet controllers, the scheduler, and the kubelets that
// run the pods and report them Ready. kubectl create → rollout status → set image → history →
// undo → pause/resume → scale during a rollout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

describe('Deployment rollouts on a local cluster with kubelets', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  const ok = (args: string[]): string => c.kubectlOk(args);
  const rolledOut = (): void => assert.match(ok(['rollout', 'status', 'deployment/web', '--timeout=90s']), /successfully rolled out/);
  const replicaSets = (): string[] => ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter((s) => s !== '');
  const image = (): string => ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);

  /** Once the old pods are gone: every Running pod of web, by image. */
  const runningImages = (want: number, img: string): Promise<string[]> =>
    pollUntil(`${want} Running pods of ${img}`, () => {
      const images = ok(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].spec.containers[0].image}']).split(' ').filter((s) => s !== '');
      return images.length === want && images.every((i) => i === img) ? images : undefined;
    });

  test('create rolls out 4 Ready pods; set image rolls to a second ReplicaSet and history lists both', async () => {
    ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
    rolledOut();
    assert.match(ok(['get', 'deployment', 'web', '--no-headers']), /^web\s+4\/4\s+4\s+4\s+/);
    ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    ok(['annotate', 'deployment', 'web', 'kubernetes.io/change-cause=upgrade to 1.28']);
    rolledOut();
    assert.equal(replicaSets().length, 2);
    const history = ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+upgrade to 1.28$/m);
    await runningImages(4, 'nginx:1.28');
  });

  test('undo goes back to the first template as revision 3, reusing its ReplicaSet', () => {
    ok(['rollout', 'undo', 'deployment/web']);
    rolledOut();
    assert.equal(image(), 'nginx:1.27');
    assert.equal(ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), '3');
    assert.equal(replicaSets().length, 2);
  });

  test('a paused Deployment keeps its pods through a template change until resumed', async () => {
    ok(['rollout', 'pause', 'deployment/web']);
    ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
    await pollUntil('Progressing says paused', () => (ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']) === 'DeploymentPaused' ? true : undefined));
    assert.equal(replicaSets().length, 2, 'no new ReplicaSet while paused');
    ok(['rollout', 'resume', 'deployment/web']);
    rolledOut();
    assert.equal(replicaSets().length, 3);
  });

  test('scaling during a rollout ends with every replica on the new template', async () => {
    ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.30']);
    ok(['scale', 'deployment/web', '--replicas=8']);
    rolledOut();
    assert.match(ok(['get', 'deployment', 'web', '--no-headers']), /^web\s+8\/8\s+8\s+8\s+/);
    await runningImages(8, 'nginx:1.30');
  });
});
