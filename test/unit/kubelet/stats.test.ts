import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStats } from '../../../pkg/cri/types.js';
import { cpuNanosFromProcStat, memoryFromMeminfo, StatsProvider } from '../../../pkg/kubelet/stats.js';

const STAT = (user: number, system: number): string => `cpu  ${user} 0 ${system} 9000 50 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;
const MEMINFO = 'MemTotal:        1000 kB\nMemFree:          200 kB\nMemAvailable:     600 kB\nInactive(file):   100 kB\n';

const stats = (uid: string, name: string, cumulativeNanos: number | undefined, workingSet: number): ContainerStats => ({
  attributes: { id: `${uid}-${name}`, metadata: { name, attempt: 0 }, labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': name }, annotations: {} },
  cpu: { timestamp: '0', usageCoreNanoSeconds: cumulativeNanos === undefined ? null : { value: String(cumulativeNanos) }, usageNanoCores: null },
  memory: { timestamp: '0', workingSetBytes: { value: String(workingSet) }, availableBytes: null, usageBytes: { value: String(workingSet * 2) }, rssBytes: null, pageFaults: null, majorPageFaults: null },
  writableLayer: null,
});

describe('the Summary API', () => {
  test('the node\'s CPU is its busy time from /proc/stat, its memory from /proc/meminfo as the kubelet reads them', () => {
    assert.equal(cpuNanosFromProcStat(STAT(150, 50)), 2e9);
    assert.deepEqual(memoryFromMeminfo(MEMINFO), { availableBytes: 600 * 1024, usageBytes: 800 * 1024, workingSetBytes: 700 * 1024 });
  });

  test('pods sum their containers; CPU rates come from two readings when the runtime gives none', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'kubets-proc-'));
    try {
      writeFileSync(join(proc, 'meminfo'), MEMINFO);
      let now = 1_000_000;
      let cumulative = 1e9;
      writeFileSync(join(proc, 'stat'), STAT(100, 0));
      const provider = new StatsProvider({ nodeName: 'n1', startTime: () => 'T0', now: () => now, procDir: proc, containerStats: async () => [stats('u1', 'a', cumulative, 100), stats('u1', 'b', 2e9, 50), stats('u2', 'c', undefined, 7)] });
      const pods = [{ name: 'p1', namespace: 'default', uid: 'u1', startTime: 'S1' }, { name: 'p2', namespace: 'default', uid: 'u2' }];
      const first = (await provider.summary(pods)) as { node: { cpu: { usageNanoCores?: number; usageCoreNanoSeconds: number }; memory: object }; pods: { podRef: { name: string }; containers: { name: string; cpu: { usageNanoCores?: number } }[]; cpu: { usageCoreNanoSeconds?: number }; memory: { workingSetBytes?: number; usageBytes?: number } }[] };
      assert.equal(first.node.cpu.usageNanoCores, undefined, 'one reading gives no rate');
      assert.equal(first.node.cpu.usageCoreNanoSeconds, 1e9);
      assert.deepEqual(first.pods.map((p) => p.podRef.name), ['p1', 'p2']);
      assert.deepEqual(first.pods[0]!.containers.map((c) => c.name), ['a', 'b']);
      assert.equal(first.pods[0]!.cpu.usageCoreNanoSeconds, 3e9);
      assert.deepEqual(first.pods[0]!.memory.workingSetBytes, 150);
      assert.deepEqual(first.pods[0]!.memory.usageBytes, 300);
      assert.equal(first.pods[1]!.cpu.usageCoreNanoSeconds, undefined, 'nothing measured, nothing made up');

      // Two seconds later: half a core for container a, a quarter of the machine's busy time for the node.
      now += 2000;
      cumulative += 1e9;
      writeFileSync(join(proc, 'stat'), STAT(150, 0));
      const second = (await provider.summary(pods)) as typeof first;
      assert.equal(second.pods[0]!.containers[0]!.cpu.usageNanoCores, 5e8);
      assert.equal(second.pods[0]!.containers[1]!.cpu.usageNanoCores, 0);
      assert.equal(second.node.cpu.usageNanoCores, 2.5e8);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
