// ResourceQuota and LimitRange as a kubectl user meets them on `npm start`: `kubectl create quota`
// is counted by the controller (describe shows Used/Hard), a pod that would exceed it or states no
// cpu request is refused with upstream's message, a deleted pod is given back, object counts
// (`count/deployments.apps`) are enforced, and a LimitRange gives pods their default resources and
// refuses what breaks its bounds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const LIMITS = `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 200m, memory: 128Mi}
    max: {cpu: "1"}
    maxLimitRequestRatio: {memory: "4"}
`;

const withResources = (name: string, resources: object): string[] => ['run', name, '--image=nginx:1.27', `--overrides=${JSON.stringify({ spec: { containers: [{ name, image: 'nginx:1.27', resources }] } })}`];

describe('ResourceQuota and LimitRange', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  test('a quota is counted and enforced with upstream messages, and gives back what is deleted', async () => {
    const k = (args: string[]): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'quota', ...args]);
    c.kubectlOk(['create', 'namespace', 'quota']);
    assert.equal(k(['create', 'quota', 'compute', '--hard=pods=2,requests.cpu=1,limits.memory=1Gi']).code, 0);
    await pollUntil('the quota counted', () => (/pods: 0\/2, requests\.cpu: 0\/1\s+limits\.memory: 0\/1Gi/.test(k(['get', 'quota', 'compute']).stdout) ? true : undefined), 30_000, 250);

    const bare = k(['run', 'bare', '--image=nginx:1.27']);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /Error from server \(Forbidden\): pods "bare" is forbidden: failed quota: compute: must specify limits\.memory for: bare; requests\.cpu for: bare/);

    assert.equal(k(withResources('first', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } })).code, 0);
    const second = k(withResources('second', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } }));
    assert.match(second.stderr, /pods "second" is forbidden: exceeded quota: compute, requested: requests\.cpu=600m, used: requests\.cpu=600m, limited: requests\.cpu=1/);
    assert.match(k(['describe', 'quota', 'compute']).stdout, /limits\.memory\s+512Mi\s+1Gi\npods\s+1\s+2\nrequests\.cpu\s+600m\s+1/);

    assert.equal(k(['delete', 'pod', 'first', '--wait=true']).code, 0);
    await pollUntil('the pod given back', () => (/pods: 0\/2, requests\.cpu: 0\/1/.test(k(['get', 'quota', 'compute']).stdout) ? true : undefined), 30_000, 250);
    assert.equal(k(withResources('second', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } })).code, 0);

    assert.equal(k(['create', 'quota', 'objects', '--hard=count/deployments.apps=1']).code, 0);
    await pollUntil('the object quota counted', () => (/count\/deployments\.apps: 0\/1/.test(k(['get', 'quota', 'objects']).stdout) ? true : undefined), 30_000, 250);
    assert.equal(k(['create', 'deployment', 'x', '--image=nginx:1.27', '--replicas=0']).code, 0);
    assert.match(k(['create', 'deployment', 'y', '--image=nginx:1.27', '--replicas=0']).stderr, /deployments\.apps "y" is forbidden: exceeded quota: objects, requested: count\/deployments\.apps=1, used: count\/deployments\.apps=1, limited: count\/deployments\.apps=1/);
    assert.equal(k(['delete', 'deployment', 'x']).code, 0);
    await pollUntil('the Deployment given back', () => (/count\/deployments\.apps: 0\/1/.test(k(['get', 'quota', 'objects']).stdout) ? true : undefined), 30_000, 250);
  });

  test('a LimitRange defaults container resources and refuses pods outside its bounds', async () => {
    const k = (args: string[], input?: string): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'limits', ...args], input !== undefined ? { input } : {});
    c.kubectlOk(['create', 'namespace', 'limits']);
    assert.equal(k(['apply', '-f', '-'], LIMITS).code, 0);
    // kubectl prints a LimitRange's resources in Go map order, which differs from run to run.
    const described = k(['describe', 'limitrange', 'defaults']).stdout;
    assert.match(described, /^Container\s+cpu\s+-\s+1\s+200m\s+500m\s+-\s*$/m);
    assert.match(described, /^Container\s+memory\s+-\s+-\s+128Mi\s+256Mi\s+4\s*$/m);
    await pollUntil('the pod admitted', () => (k(['run', 'web', '--image=nginx:1.27']).code === 0 ? true : undefined), 30_000, 250);
    assert.equal(
      k(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}|{.spec.containers[0].resources}|{.status.qosClass}']).stdout,
      'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web|{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"200m","memory":"128Mi"}}|Burstable',
    );
    const big = k(withResources('big', { limits: { cpu: '2', memory: '1Gi' }, requests: { memory: '100Mi' } }));
    assert.match(big.stderr, /pods "big" is forbidden: \[maximum cpu usage per Container is 1, but limit is 2, memory max limit to request ratio per Container is 4, but provided ratio is 10\.240000\]/);
  });
});
