// Encoding objects to the Kubernetes protobuf wire format and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../../../../pkg/api/index.js';
import { asNode, type SchemaNode } from '../../../../pkg/api/schema/dsl.js';
import { decodeKubernetesProtobuf, formatGoDuration, parseGoDuration, ProtobufEncodeError } from '../../../../pkg/api/schema/protobuf.js';
import { encodeKubernetesProtobuf } from '../../../../pkg/api/schema/protobuf-encode.js';
import { EvictionSchema } from '../../../../pkg/api/policy/v1/eviction.js';

const registry = builtinRegistry();
function schemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  if (apiVersion === 'policy/v1' && kind === 'Eviction') return asNode(EvictionSchema);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const def = registry.byKind(group ?? '', version ?? '', kind);
  return def ? asNode(def.schema) : undefined;
}

function roundTrip(obj: Record<string, unknown>): Record<string, unknown> {
  const schema = schemaFor(String(obj['apiVersion']), String(obj['kind']));
  assert.ok(schema);
  return decodeKubernetesProtobuf(encodeKubernetesProtobuf(obj, schema), schemaFor).object;
}

const roundTrips: { name: string; obj: Record<string, unknown> }[] = [
  {
    name: 'an Eviction with delete options survives encoding and decoding',
    obj: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30, propagationPolicy: 'Foreground' } },
  },
  {
    name: 'a Lease with microsecond times survives encoding and decoding',
    obj: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kube-scheduler', namespace: 'kube-system', resourceVersion: '12' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: '2024-05-01T10:00:00.000001Z', renewTime: '2024-05-01T10:00:14.999999Z', leaseTransitions: 0 },
    },
  },
  {
    name: 'a Node with quantity maps, times and conditions survives encoding and decoding',
    obj: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, creationTimestamp: '2024-01-02T03:04:05Z' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', effect: 'NoSchedule', timeAdded: '2024-01-02T03:04:06Z' }] },
      status: {
        capacity: { cpu: '4', memory: '16Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-02T03:04:07Z', reason: 'KubeletReady' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { kubeletVersion: 'v1.32.0', machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', containerRuntimeVersion: 'c', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      },
    },
  },
  {
    name: 'a core Event with second and microsecond times survives encoding and decoding',
    obj: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Scheduled',
      firstTimestamp: '2024-01-02T03:04:05Z',
      eventTime: '2024-01-02T03:04:05.123456Z',
      count: 1,
      series: { count: 2, lastObservedTime: '2024-01-02T03:04:06.000100Z' },
      source: { component: 'scheduler' },
    },
  },
];

for (const tc of roundTrips) {
  test(tc.name, () => {
    assert.deepEqual(roundTrip(tc.obj), tc.obj);
  });
}

test('encoding starts with the k8s prefix and the type meta, as kubectl writes it', () => {
  const body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, schemaFor('v1', 'Namespace')!);
  assert.equal(body.subarray(0, 21).toString('hex'), '6b387300' + '0a0f' + '0a027631' + '1209' + Buffer.from('Namespace').toString('hex'));
});

test('a field without a protobuf number cannot be encoded', () => {
  assert.throws(
    () => encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, bogus: 1 }, schemaFor('v1', 'Namespace')!),
    (e: unknown) => e instanceof ProtobufEncodeError && /bogus: field has no protobuf field number/.test(e.message),
  );
});

test('Go durations print and parse the way time.Duration does', () => {
  const cases: [string, bigint][] = [
    ['0s', 0n],
    ['1ns', 1n],
    ['1.5µs', 1_500n],
    ['250ms', 250_000_000n],
    ['1s', 1_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1h0m0s', 3_600_000_000_000n],
    ['2562047h47m16.854775807s', 9_223_372_036_854_775_807n],
    ['-1.000000001s', -1_000_000_001n],
  ];
  for (const [text, nanos] of cases) {
    assert.equal(formatGoDuration(nanos), text);
    assert.equal(parseGoDuration(text), nanos, text);
  }
  assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000n);
  assert.equal(parseGoDuration('1.5h'), 5_400_000_000_000n);
  assert.throws(() => parseGoDuration('10'), /invalid duration "10"/);
});
