import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountControllerDefinition } from '../../../pkg/controller/serviceaccount/index.js';
import { startControllerHarness, type ControllerHarness } from '../../helpers/controller-harness.js';

describe('serviceaccount controller on a real apiserver', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness([serviceAccountControllerDefinition]);
  });
  after(async () => {
    await h.stop();
  });

  test('kubectl create namespace is followed by its default ServiceAccount, and a deleted one comes back', async () => {
    await h.kubectlOk(['create', 'namespace', 'team-a']);
    await h.waitFor('serviceaccount/default in team-a', async () => ((await h.kubectl(['get', 'sa', 'default', '-n', 'team-a'])).code === 0 ? true : undefined));
    const uid = (await h.kubectlOk(['get', 'sa', 'default', '-n', 'team-a', '-o', 'jsonpath={.metadata.uid}'])).trim();
    await h.kubectlOk(['delete', 'sa', 'default', '-n', 'team-a']);
    const again = await h.waitFor('a new default ServiceAccount', async () => {
      const r = await h.kubectl(['get', 'sa', 'default', '-n', 'team-a', '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout.trim() !== uid ? r.stdout.trim() : undefined;
    });
    assert.notEqual(again, uid);
  });

  test('the bootstrap namespaces have one too', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      await h.waitFor(`serviceaccount/default in ${ns}`, async () => ((await h.kubectl(['get', 'sa', 'default', '-n', ns])).code === 0 ? true : undefined));
    }
  });
});
