import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import type { RestClient } from '../../../pkg/client/rest.js';
import { KubeletStandIn } from '../../helpers/kubelet-stand-in.js';

const pod = (name: string, deleting = false): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' }, ...(deleting ? { deletionTimestamp: '2026-12-07T07:00:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: 'kubets/pause:3.10' }] },
});

test('a relist counts the pods alive at that moment: one created in the watch gap is not counted beside one that went in the gap', () => {
  const standIn = new KubeletStandIn({ client: {} as RestClient, namespace: 'default', concurrency: 1, groupLabel: 'app', passive: true, log: () => undefined });
  standIn.relisted(['web-b', 'web-c', 'web-d', 'web-e', 'web-f'].map((n) => pod(n)));
  assert.equal(standIn.peakPerGroup.get('web'), 5);

  // While the watch was down, web-f was marked for deletion and then web-a created (listed first).
  standIn.relisted([pod('web-a'), pod('web-b'), pod('web-c'), pod('web-d'), pod('web-e'), pod('web-f', true)]);
  assert.deepEqual([...(standIn.livePerGroup.get('web') ?? [])].sort(), ['web-a', 'web-b', 'web-c', 'web-d', 'web-e']);
  assert.equal(standIn.peakPerGroup.get('web'), 5);

  // A real surge is still seen.
  standIn.relisted(['web-a', 'web-b', 'web-c', 'web-d', 'web-e', 'web-g'].map((n) => pod(n)));
  assert.equal(standIn.peakPerGroup.get('web'), 6);
});
