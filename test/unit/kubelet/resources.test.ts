import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { linuxContainerResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj, podCgroupParent, removePodCgroups } from '../../../pkg/kubelet/resources.js';

const GiB = 1024 ** 3;
const pod = (...containers: Container[]): Pod => ({ metadata: { name: 'p', uid: 'u1' }, spec: { containers } });
const c = (resources: Container['resources']): Container => ({ name: 'c', image: 'i', resources });

describe('container resources as cgroup settings', () => {
  test('CPU requests become shares and limits a CFS quota over 100 ms, as upstream computes them', () => {
    assert.equal(milliCpuToShares(0), 2);
    assert.equal(milliCpuToShares(1), 2);
    assert.equal(milliCpuToShares(250), 256);
    assert.equal(milliCpuToShares(1000), 1024);
    assert.equal(milliCpuToShares(1_000_000), 262144);
    assert.equal(milliCpuToQuota(0, 100_000), 0);
    assert.equal(milliCpuToQuota(5, 100_000), 1000);
    assert.equal(milliCpuToQuota(500, 100_000), 50_000);
    const burstable = c({ requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    assert.deepEqual(linuxContainerResources(pod(burstable), burstable, 4 * GiB), { cpuShares: '256', cpuPeriod: '100000', cpuQuota: '50000', memoryLimitInBytes: String(128 * 1024 * 1024), oomScoreAdj: '993' });
    const bestEffort = c(undefined);
    assert.deepEqual(linuxContainerResources(pod(bestEffort), bestEffort, 4 * GiB), { cpuShares: '2', oomScoreAdj: '1000' });
  });

  test('the QoS class decides the OOM score and the pod cgroup', () => {
    const guaranteed = c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
    assert.equal(oomScoreAdj(pod(guaranteed), guaranteed, 4 * GiB), -997);
    assert.equal(podCgroupParent(pod(guaranteed)), '/kubepods/podu1');
    const big = c({ requests: { memory: '4Gi' } });
    assert.equal(oomScoreAdj(pod(big), big, 4 * GiB), 3, 'a Burstable pod asking for the whole node stays above Guaranteed');
    const tiny = c({ requests: { memory: '1' } });
    assert.equal(oomScoreAdj(pod(tiny), tiny, 4 * GiB), 999, 'and below BestEffort');
    assert.equal(podCgroupParent(pod(big)), '/kubepods/burstable/podu1');
    assert.equal(podCgroupParent(pod(c(undefined))), '/kubepods/besteffort/podu1');
  });

  test('a gone pod\'s cgroups are removed under every v1 controller, others\' left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubets-cgroup-'));
    try {
      for (const ctl of ['cpu', 'memory']) {
        mkdirSync(join(root, ctl, 'kubepods', 'burstable', 'podu1'), { recursive: true });
        mkdirSync(join(root, ctl, 'kubepods', 'burstable', 'podu2'), { recursive: true });
      }
      const removed = await removePodCgroups('u1', root);
      assert.deepEqual(removed.sort(), [join(root, 'cpu', 'kubepods', 'burstable', 'podu1'), join(root, 'memory', 'kubepods', 'burstable', 'podu1')]);
      assert.ok(existsSync(join(root, 'memory', 'kubepods', 'burstable', 'podu2')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
