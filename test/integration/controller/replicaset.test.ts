import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetControllerDefinition } from '../../../pkg/controller/replicaset/index.js';
import { startControllerHarness, type ControllerHarness } from '../../helpers/controller-harness.js';

const manifest = (replicas: number): string => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: ${replicas}
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

describe('ReplicaSet controller on a real apiserver', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness([replicaSetControllerDefinition]);
  });
  after(async () => {
    await h.stop();
  });

  const podNames = async (): Promise<string[]> => (await h.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter((s) => s !== '');

  test('kubectl apply makes the pods; once they are ready kubectl get rs shows 3/3/3', async () => {
    await h.kubectlOk(['apply', '-f', '-'], manifest(3));
    await h.waitFor('three pods', async () => ((await podNames()).length === 3 ? true : undefined));
    await h.setPodsReady('default', 'app=web');
    const row = await h.waitFor('READY 3', async () => {
      const out = await h.kubectlOk(['get', 'rs', 'web', '--no-headers']);
      return /^web\s+3\s+3\s+3\s+/.test(out) ? out : undefined;
    });
    assert.match(row, /^web\s+3\s+3\s+3\s+\d+s\n$/);
  });

  test('kubectl scale down deletes two pods and describe shows the SuccessfulCreate and SuccessfulDelete events', async () => {
    await h.kubectlOk(['scale', 'rs', 'web', '--replicas=1']);
    await h.waitFor('one pod left', async () => ((await podNames()).length === 1 ? true : undefined));
    const describe = await h.waitFor('the delete events', async () => {
      const out = await h.kubectlOk(['describe', 'rs', 'web']);
      return /SuccessfulDelete/.test(out) ? out : undefined;
    });
    assert.match(describe, /Replicas:\s+1 current \/ 1 desired/);
    assert.match(describe, /Normal\s+SuccessfulCreate\s+.*replicaset-controller\s+Created pod: web-/);
    assert.match(describe, /Normal\s+SuccessfulDelete\s+.*replicaset-controller\s+Deleted pod: web-/);
  });

  test('a deleted pod is replaced, and a pod relabelled out of the selector is released and replaced', async () => {
    const [only] = await podNames();
    await h.kubectlOk(['delete', 'pod', only!, '--wait=false']);
    const [replacement] = await h.waitFor('a replacement', async () => {
      const now = await podNames();
      return now.length === 1 && now[0] !== only ? now : undefined;
    });
    await h.kubectlOk(['label', 'pod', replacement!, 'app=retired', '--overwrite']);
    await h.waitFor('the relabelled pod released', async () => ((await h.kubectlOk(['get', 'pod', replacement!, '-o', 'jsonpath={.metadata.ownerReferences}'])).trim() === '' ? true : undefined));
    const after = await h.waitFor('a new pod for web', async () => {
      const now = await podNames();
      return now.length === 1 && now[0] !== replacement ? now : undefined;
    });
    assert.equal(after.length, 1);
  });
});
