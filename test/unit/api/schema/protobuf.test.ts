// Decoding the Kubernetes protobuf wire format: encodings, Go's zero-value rules, malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../../../../pkg/api/index.js';
import { asNode, DefinitionName, type SchemaNode } from '../../../../pkg/api/schema/dsl.js';
import {
  decodeKubernetesProtobuf,
  decodeProtobufMessage,
  isKubernetesProtobuf,
  ProtobufDecodeError,
  type WireGroup,
} from '../../../../pkg/api/schema/protobuf.js';
import { EvictionSchema } from '../../../../pkg/api/policy/v1/eviction.js';

// A tiny writer for hand-built messages, so each case states its wire bytes.
function varint(v: bigint | number): Buffer {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}
const tag = (num: number, wt: number): Buffer => varint(num * 8 + wt);
const vf = (num: number, v: bigint | number): Buffer => Buffer.concat([tag(num, 0), varint(v)]);
const bf = (num: number, ...parts: (Buffer | string)[]): Buffer => {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  return Buffer.concat([tag(num, 2), varint(body.length), body]);
};
const f64 = (num: number, v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([tag(num, 1), b]);
};
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), bf(1, bf(1, apiVersion), bf(2, kind)), bf(2, raw), bf(3), bf(4)]);

const registry = builtinRegistry();
function schemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  if (apiVersion === 'policy/v1' && kind === 'Eviction') return asNode(EvictionSchema);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const def = registry.byKind(group ?? '', version ?? '', kind);
  return def ? asNode(def.schema) : undefined;
}
const decode = (apiVersion: string, kind: string, raw: Buffer): Record<string, unknown> =>
  decodeKubernetesProtobuf(envelope(apiVersion, kind, raw), schemaFor).object;

test('isKubernetesProtobuf recognises the protobuf media type and nothing else', () => {
  const cases: [string | undefined, boolean][] = [
    ['application/vnd.kubernetes.protobuf', true],
    ['Application/VND.Kubernetes.Protobuf; charset=binary', true],
    [' application/vnd.kubernetes.protobuf ', true],
    ['application/json', false],
    ['application/vnd.kubernetes.protobuf+json', false],
    ['', false],
    [undefined, false],
  ];
  for (const [ct, want] of cases) assert.equal(isKubernetesProtobuf(ct), want, String(ct));
});

interface DecodeCase {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly raw: Buffer;
  readonly want: Record<string, unknown>;
}

const meta = (...parts: Buffer[]): Buffer => bf(1, ...parts);
const decodeCases: DecodeCase[] = [
  {
    name: 'a pointer int written as zero is kept: replicas 0 stays 0',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    raw: Buffer.concat([meta(bf(1, 'web')), bf(2, vf(1, 0), vf(5, 0))]),
    want: { metadata: { name: 'web' }, spec: { replicas: 0 } },
  },
  {
    name: 'empty strings, zero ints and false of omitempty fields are dropped, as Go writes them for unset fields',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    raw: Buffer.concat([meta(bf(1, 'c'), bf(2), bf(3), bf(4), bf(5), bf(6), vf(7, 0)), vf(4, 0)]),
    want: { metadata: { name: 'c' }, immutable: false },
  },
  {
    name: 'an empty string of a pointer field is kept: storageClassName "" asks for no class',
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    raw: Buffer.concat([meta(bf(1, 'data')), bf(2, bf(5), bf(3))]),
    want: { metadata: { name: 'data' }, spec: { storageClassName: '' } },
  },
  {
    name: 'a zero of a field without omitempty is kept: a service port 0 reaches validation as 0',
    apiVersion: 'v1',
    kind: 'Service',
    raw: Buffer.concat([meta(bf(1, 's')), bf(2, bf(1, bf(1), bf(2, 'TCP'), vf(3, 0), vf(5, 0)))]),
    want: { metadata: { name: 's' }, spec: { ports: [{ protocol: 'TCP', port: 0 }] } },
  },
  {
    name: 'negative int32 and int64 arrive as 10-byte two\'s complement varints',
    apiVersion: 'v1',
    kind: 'Pod',
    raw: Buffer.concat([meta(bf(1, 'p'), vf(10, -1n)), bf(2, vf(25, -5), vf(4, -30n))]),
    want: { metadata: { name: 'p', deletionGracePeriodSeconds: -1 }, spec: { priority: -5, terminationGracePeriodSeconds: -30 } },
  },
  {
    name: 'repeated scalars are read both unpacked and packed',
    apiVersion: 'v1',
    kind: 'Pod',
    raw: bf(2, bf(14, vf(4, 1), bf(4, varint(2), varint(3000000000)), vf(4, 4))),
    want: { spec: { securityContext: { supplementalGroups: [1, 2, 3000000000, 4] } } },
  },
  {
    name: 'maps are repeated key/value entries, and a missing value is the zero value',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    raw: Buffer.concat([meta(bf(11, bf(1, 'app'), bf(2, 'web')), bf(11, bf(1, 'empty'))), bf(2, bf(1, 'k'), bf(2, 'v')), bf(2, bf(1, 'blank'))]),
    want: { metadata: { labels: { app: 'web', empty: '' } }, data: { k: 'v', blank: '' } },
  },
  {
    name: 'byte maps (Secret data) come out base64 encoded',
    apiVersion: 'v1',
    kind: 'Secret',
    raw: bf(2, bf(1, 'key'), bf(2, Buffer.from([0x00, 0xff, 0x41]))),
    want: { data: { key: 'AP9B' } },
  },
  {
    name: 'quantities are messages holding their string; an empty one is 0',
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    raw: bf(2, bf(1, bf(1, 'cpu'), bf(2, bf(1, '500m'))), bf(1, bf(1, 'pods'), bf(2)), bf(1, bf(1, 'memory'))),
    want: { spec: { hard: { cpu: '500m', pods: '0', memory: '0' } } },
  },
  {
    name: 'int-or-string by type: 0 is the int, 1 the string',
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    raw: bf(2, bf(1, vf(1, 0), vf(2, 3), bf(3)), bf(3, vf(1, 1), vf(2, 0), bf(3, '25%'))),
    want: { spec: { minAvailable: 3, maxUnavailable: '25%' } },
  },
  {
    name: 'Time keeps whole seconds; an empty Time message is the zero time and is left out',
    apiVersion: 'v1',
    kind: 'Pod',
    raw: meta(bf(8), bf(9, vf(1, 1700000000), vf(2, 999999999))),
    want: { metadata: { deletionTimestamp: '2023-11-14T22:13:20Z' } },
  },
  {
    name: 'MicroTime keeps microseconds, truncating the nanoseconds',
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    raw: bf(2, bf(1, 'holder'), vf(2, 15), bf(3, vf(1, 1700000000), vf(2, 123456789)), bf(4, vf(1, 1700000001))),
    want: { spec: { holderIdentity: 'holder', leaseDurationSeconds: 15, acquireTime: '2023-11-14T22:13:20.123456Z', renewTime: '2023-11-14T22:13:21.000000Z' } },
  },
  {
    name: 'Go\'s zero time written out explicitly (year 1) is still left out',
    apiVersion: 'v1',
    kind: 'Pod',
    raw: meta(bf(8, vf(1, -62135596800n))),
    want: { metadata: {} },
  },
  {
    name: 'RawExtension and FieldsV1 carry JSON bytes that come out parsed',
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    raw: Buffer.concat([
      meta(bf(17, bf(1, 'kubectl'), bf(2, 'Update'), bf(6, 'FieldsV1'), bf(7, bf(1, '{"f:spec":{}}')))),
      bf(2, bf(1, '{"spec":{"template":{"x":1}}}')),
      vf(3, 2),
    ]),
    want: {
      metadata: { managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
      data: { spec: { template: { x: 1 } } },
      revision: 2,
    },
  },
  {
    name: 'embedded structs (VolumeSource, LocalObjectReference, ProbeHandler) are flattened into their parent',
    apiVersion: 'v1',
    kind: 'Pod',
    raw: bf(
      2,
      bf(1, bf(1, 'cfg'), bf(2, bf(19, bf(1, bf(1, 'app-config')), vf(3, 420)))),
      bf(2, bf(1, 'c'), bf(10, bf(1, bf(3, bf(1, vf(1, 0), vf(2, 8080), bf(3)))), vf(2, 5))),
    ),
    want: {
      spec: {
        volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } }],
        containers: [{ name: 'c', livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 5 } }],
      },
    },
  },
  {
    name: 'fields with numbers we do not know are skipped, whatever their wire type',
    apiVersion: 'v1',
    kind: 'Namespace',
    raw: Buffer.concat([meta(bf(1, 'ns'), vf(99, 7), bf(98, 'x')), f64(50, 1.5), Buffer.concat([tag(51, 5), Buffer.alloc(4)])]),
    want: { metadata: { name: 'ns' } },
  },
  {
    name: 'a message that appears twice merges into one, as protobuf specifies',
    apiVersion: 'v1',
    kind: 'Namespace',
    raw: Buffer.concat([meta(bf(1, 'ns')), meta(bf(11, bf(1, 'a'), bf(2, 'b')))]),
    want: { metadata: { name: 'ns', labels: { a: 'b' } } },
  },
  {
    name: 'a map key "__proto__" becomes an ordinary key',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    raw: bf(2, bf(1, '__proto__'), bf(2, 'x')),
    want: { data: JSON.parse('{"__proto__":"x"}') as Record<string, unknown> },
  },
  {
    name: 'an Eviction carries its DeleteOptions as a nested message',
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    raw: Buffer.concat([meta(bf(1, 'web-1'), bf(3, 'default')), bf(2, vf(1, 0), bf(2, bf(1, 'uid-1')), bf(5, 'All'))]),
    want: { metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, dryRun: ['All'] } },
  },
];

for (const tc of decodeCases) {
  test(tc.name, () => {
    assert.deepEqual(decode(tc.apiVersion, tc.kind, tc.raw), { apiVersion: tc.apiVersion, kind: tc.kind, ...tc.want });
  });
}

test('a double field is read from a fixed 64-bit value, and durations print as Go prints them', () => {
  const DurationNode = { type: 'string', [DefinitionName]: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration' } as SchemaNode;
  const schema = {
    type: 'object',
    [DefinitionName]: 'test.Thing',
    properties: { ratio: { type: 'number', format: 'double' }, timeout: DurationNode, waits: { type: 'array', items: DurationNode } },
  } as SchemaNode;
  const wire: WireGroup = { fields: { 'test.Thing': { ratio: 1, timeout: 2, waits: 3 } }, keepZero: {} };
  const nanos = [3_723_500_000_000n, 1_500n, 250_000_000n, 0n, -90_000_000_000n, 3_600_000_000_000n];
  const raw = Buffer.concat([f64(1, 0.25), bf(2, vf(1, nanos[0]!)), ...nanos.slice(1).map((n) => bf(3, vf(1, n)))]);
  assert.deepEqual(decodeProtobufMessage(raw, schema, wire), {
    ratio: 0.25,
    timeout: '1h2m3.5s',
    waits: ['1.5µs', '250ms', '0s', '-1m30s', '1h0m0s'],
  });
});

test('nesting is bounded even for a schema that refers to itself', () => {
  const node: { type: 'object'; properties: Record<string, SchemaNode>; [DefinitionName]: string } = {
    type: 'object',
    properties: {},
    [DefinitionName]: 'test.Loop',
  };
  node.properties['next'] = node;
  const wire: WireGroup = { fields: { 'test.Loop': { next: 1 } }, keepZero: {} };
  let raw: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 100; i++) raw = bf(1, raw);
  assert.throws(() => decodeProtobufMessage(raw, node, wire), (e: unknown) => e instanceof ProtobufDecodeError && /nesting deeper than 64/.test(e.message));
});

interface ErrorCase {
  readonly name: string;
  readonly body: Buffer;
  readonly message: RegExp;
}

const good = envelope('v1', 'Namespace', meta(bf(1, 'ns')));
const errorCases: ErrorCase[] = [
  { name: 'a body without the k8s prefix is rejected', body: Buffer.from('{"kind":"Namespace"}'), message: /does not start with the Kubernetes protobuf prefix/ },
  { name: 'an empty body is rejected', body: Buffer.alloc(0), message: /prefix/ },
  { name: 'a body cut short inside a message is rejected', body: good.subarray(0, good.length - 6), message: /runs past the end|unexpected end/ },
  { name: 'a varint longer than 10 bytes is rejected', body: Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.alloc(12, 0xff)]), message: /varint longer than 10 bytes|too large/ },
  { name: 'field number 0 is rejected', body: Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x02, 0x00])]), message: /illegal field number 0/ },
  { name: 'group wire types are rejected', body: Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x4b])]), message: /unsupported wire type 3/ },
  {
    name: 'a known field with the wrong wire type is rejected with its path',
    body: envelope('apps/v1', 'Deployment', bf(2, bf(1, 'two'))),
    message: /^spec\.replicas: wrong wire type 2/,
  },
  { name: 'an unknown kind is rejected', body: envelope('v1', 'Widget', Buffer.alloc(0)), message: /no kind "Widget" is registered for version "v1"/ },
  { name: 'an envelope without a kind is rejected', body: envelope('v1', '', Buffer.alloc(0)), message: /object has no kind/ },
  {
    name: 'a content encoding is not supported',
    body: Buffer.concat([Buffer.from('k8s\0', 'latin1'), bf(1, bf(1, 'v1'), bf(2, 'Namespace')), bf(3, 'gzip')]),
    message: /unsupported content encoding "gzip"/,
  },
  {
    name: 'raw JSON that does not parse is rejected',
    body: envelope('apps/v1', 'ControllerRevision', bf(2, bf(1, '{nope'))),
    message: /^data: embedded raw value is not JSON/,
  },
  { name: 'an int-or-string of an unknown type is rejected', body: envelope('policy/v1', 'PodDisruptionBudget', bf(2, bf(1, vf(1, 7)))), message: /unknown type 7/ },
  { name: 'a timestamp outside years 0-9999 is rejected', body: envelope('v1', 'Pod', meta(bf(9, vf(1, 1n << 40n)))), message: /outside years 0-9999/ },
];

for (const tc of errorCases) {
  test(tc.name, () => {
    assert.throws(
      () => decodeKubernetesProtobuf(tc.body, schemaFor),
      (e: unknown) => e instanceof ProtobufDecodeError && tc.message.test(e.message),
    );
  });
}

test('hostile bytes never crash the decoder: every failure is a ProtobufDecodeError', () => {
  // A fixed-seed generator keeps the run reproducible.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const base = envelope(
    'apps/v1',
    'Deployment',
    Buffer.concat([meta(bf(1, 'web'), bf(11, bf(1, 'a'), bf(2, 'b'))), bf(2, vf(1, 2), bf(3, meta(), bf(2, bf(2, bf(1, 'c'), bf(2, 'img')))))]),
  );
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(base);
    const edits = 1 + rand(4);
    for (let j = 0; j < edits; j++) b[4 + rand(b.length - 4)] = rand(256);
    const body = i % 10 === 0 ? Buffer.concat([b.subarray(0, 4), Buffer.from(Array.from({ length: rand(64) }, () => rand(256)))]) : b;
    try {
      decodeKubernetesProtobuf(body, schemaFor);
    } catch (e) {
      assert.ok(e instanceof ProtobufDecodeError, `iteration ${i}: ${String(e)}`);
    }
  }
});
