import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, PatchError } from '../../../../pkg/api/patch/index.js';
import { array, asNode, int32, map, string, struct, type SchemaNode } from '../../../../pkg/api/schema/dsl.js';
import { deploymentSchema } from './schema.fixture.js';

// The generic shape upstream's own strategic merge patch tests use.
const Item = struct('kubets.test.smp.MergeItem', '', { name: string(''), value: string(''), other: string('') });
const generic: SchemaNode = asNode(
  struct('kubets.test.smp.Generic', '', {
    name: string(''),
    value: string(''),
    other: string(''),
    mergingList: array(Item, '', { mergeKey: 'name', strategy: 'merge' }),
    mergingIntList: array(int32(''), '', { strategy: 'merge' }),
    nonMergingList: array(Item, ''),
    simpleMap: map(string(''), ''),
    retainKeysMap: struct('kubets.test.smp.RetainKeysMap', '', { name: string(''), value: string(''), other: string('') }, { strategy: 'retainKeys' }),
  }),
);

const genericCases: { name: string; original: unknown; patch: unknown; want: unknown }[] = [
  {
    name: 'merging int lists are unions without duplicates',
    original: { mergingIntList: [1, 2] },
    patch: { mergingIntList: [2, 3] },
    want: { mergingIntList: [1, 2, 3] },
  },
  {
    name: 'a map with $patch: delete becomes empty',
    original: { simpleMap: { key1: '1', key2: '1' } },
    patch: { simpleMap: { $patch: 'delete' } },
    want: { simpleMap: {} },
  },
  {
    name: 'a list element with $patch: replace empties a merging list',
    original: { mergingList: [{ name: '1' }, { name: '2' }] },
    patch: { mergingList: [{ $patch: 'replace' }] },
    want: { mergingList: [] },
  },
  {
    name: 'a top-level $patch: replace keeps only the patch keys',
    original: { name: '1', value: '1' },
    patch: { other: 'a', $patch: 'replace' },
    want: { other: 'a' },
  },
  {
    name: '$patch: delete removes every entry with that merge key',
    original: { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
    want: { mergingList: [{ name: '2', value: 'a' }] },
  },
  {
    name: 'patch order wins for patched items and server-only items keep their place',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    want: { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] },
  },
  {
    name: '$setElementOrder reorders and interleaves server-only items by live order',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '3', value: '3' }, { name: '4', value: '4' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
    want: {
      mergingList: [{ name: '2', value: '2' }, { name: '1', other: 'a' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '4', value: '4' }, { name: '3', value: '3' }],
    },
  },
  {
    name: '$setElementOrder with server-only items at the end keeps them last',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '3', value: '3' }, { name: '4', value: '4' }, { name: '2', value: '2' }, { name: '9' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '4' }, { name: '2' }, { name: '3' }, { name: '1' }] },
    want: { mergingList: [{ name: '4', value: '4' }, { name: '2', value: '2' }, { name: '3', value: '3' }, { name: '1', other: 'a' }, { name: '9' }] },
  },
  {
    name: '$deleteFromPrimitiveList removes scalars and $setElementOrder orders the rest',
    original: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: '$deleteFromPrimitiveList of an absent list does not create it',
    original: {},
    patch: { '$deleteFromPrimitiveList/mergingIntList': [1] },
    want: {},
  },
  {
    name: 'a list without a patch strategy is replaced',
    original: { nonMergingList: [{ name: '1' }, { name: '2' }] },
    patch: { nonMergingList: [{ name: '3' }] },
    want: { nonMergingList: [{ name: '3' }] },
  },
  {
    name: '$retainKeys clears the keys it does not list',
    original: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'c' } },
    want: { retainKeysMap: { name: 'foo', value: 'c' } },
  },
  {
    name: 'a retainKeys map without the directive merges normally',
    original: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: { value: null } },
    want: { retainKeysMap: { name: 'foo' } },
  },
  {
    name: 'a newly added subtree loses its nulls and directive-marked maps',
    original: {},
    patch: { simpleMap: { a: 'x', b: null }, mergingList: [{ name: '1' }, { name: '2', $patch: 'delete' }] },
    want: { simpleMap: { a: 'x' }, mergingList: [{ name: '1' }] },
  },
];

for (const c of genericCases) {
  test(c.name, () => {
    const before = structuredClone(c.original);
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, generic), c.want);
    assert.deepEqual(c.original, before, 'the original is not modified');
  });
}

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.25',
              args: ['--x', '--y'],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

type Mutator = (d: Record<string, unknown>) => void;

function podSpec(d: Record<string, unknown>): Record<string, unknown> {
  return ((d['spec'] as Record<string, unknown>)['template'] as Record<string, Record<string, unknown>>)['spec'] as Record<string, unknown>;
}
function containers(d: Record<string, unknown>): Record<string, unknown>[] {
  return podSpec(d)['containers'] as Record<string, unknown>[];
}
const tplPatch = (spec: unknown): unknown => ({ spec: { template: { spec } } });

const deploymentCases: { name: string; patch: unknown; change: Mutator }[] = [
  {
    name: 'containers merge by name: changing one image keeps the other container',
    patch: tplPatch({ containers: [{ name: 'app', image: 'nginx:1.27' }] }),
    change: (d) => {
      containers(d)[0]!['image'] = 'nginx:1.27';
    },
  },
  {
    name: 'env merges by name: a value changes and a new variable is added after the live ones',
    patch: tplPatch({ containers: [{ name: 'app', env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }] }] }),
    change: (d) => {
      containers(d)[0]!['env'] = [{ name: 'A', value: '1' }, { name: 'B', value: '20' }, { name: 'C', value: '3' }];
    },
  },
  {
    name: 'ports merge by containerPort and a new port without $setElementOrder goes first, as upstream orders it',
    patch: tplPatch({ containers: [{ name: 'app', ports: [{ containerPort: 443, protocol: 'TCP' }] }] }),
    change: (d) => {
      containers(d)[0]!['ports'] = [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 80, protocol: 'TCP' }];
    },
  },
  {
    name: 'a new container follows $setElementOrder',
    patch: tplPatch({ '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }, { name: 'new' }], containers: [{ name: 'new', image: 'x' }] }),
    change: (d) => {
      containers(d).push({ name: 'new', image: 'x' });
    },
  },
  {
    name: '$setElementOrder alone reorders containers',
    patch: tplPatch({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] }),
    change: (d) => {
      podSpec(d)['containers'] = [containers(d)[1], containers(d)[0]];
    },
  },
  {
    name: 'a container is deleted with $patch: delete',
    patch: tplPatch({ containers: [{ name: 'sidecar', $patch: 'delete' }] }),
    change: (d) => {
      podSpec(d)['containers'] = [containers(d)[0]];
    },
  },
  {
    name: 'volumes with $retainKeys switch the volume source',
    patch: tplPatch({ volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['hostPath', 'name'] }] }),
    change: (d) => {
      podSpec(d)['volumes'] = [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'cfg', configMap: { name: 'cfg' } }];
    },
  },
  {
    name: 'the deployment strategy switches to Recreate with $retainKeys',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    change: (d) => {
      (d['spec'] as Record<string, unknown>)['strategy'] = { type: 'Recreate' };
    },
  },
  {
    name: 'finalizers merge as a set of strings',
    patch: { metadata: { finalizers: ['b', 'c'] } },
    change: (d) => {
      (d['metadata'] as Record<string, unknown>)['finalizers'] = ['a', 'b', 'c'];
    },
  },
  {
    name: 'a finalizer is removed with $deleteFromPrimitiveList',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    change: (d) => {
      (d['metadata'] as Record<string, unknown>)['finalizers'] = ['b'];
    },
  },
  {
    name: 'labels are replaced as a whole with $patch: replace',
    patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
    change: (d) => {
      (d['metadata'] as Record<string, unknown>)['labels'] = { only: 'this' };
    },
  },
  {
    name: 'a label is removed by null',
    patch: { metadata: { labels: { tier: null } } },
    change: (d) => {
      (d['metadata'] as Record<string, unknown>)['labels'] = { app: 'web' };
    },
  },
  {
    name: 'args, an atomic list, are replaced',
    patch: tplPatch({ containers: [{ name: 'app', args: ['--z'] }] }),
    change: (d) => {
      containers(d)[0]!['args'] = ['--z'];
    },
  },
  {
    name: 'tolerations, a list without strategy, are replaced',
    patch: tplPatch({ tolerations: [{ key: 'other', operator: 'Exists' }] }),
    change: (d) => {
      podSpec(d)['tolerations'] = [{ key: 'other', operator: 'Exists' }];
    },
  },
  {
    name: 'a field the schema does not know merges like a JSON merge patch',
    patch: { spec: { extra: { a: { b: 1 }, l: [1] } } },
    change: (d) => {
      (d['spec'] as Record<string, unknown>)['extra'] = { a: { b: 1 }, l: [1] };
    },
  },
];

for (const c of deploymentCases) {
  test(c.name, () => {
    const want = deployment();
    c.change(want);
    assert.deepEqual(applyStrategicMergePatch(deployment(), c.patch, deploymentSchema), want);
  });
}

test('fields outside the schema merge maps and replace lists', () => {
  const live = { ...deployment(), spec: { ...(deployment()['spec'] as object), extra: { a: { b: 1 }, l: [1, 2] } } };
  const got = applyStrategicMergePatch(live, { spec: { extra: { a: { c: 2 }, l: [3] } } }, deploymentSchema) as { spec: { extra: unknown } };
  assert.deepEqual(got.spec.extra, { a: { b: 1, c: 2 }, l: [3] });
});

test('a kubectl apply three-way patch changes one image and deletes one env var', () => {
  const lastApplied = (image: string, env: unknown[]): string =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { annotations: {}, name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ env, image, name: 'app' }] } },
      },
    }) + '\n';
  const annotation = 'kubectl.kubernetes.io/last-applied-configuration';
  const oldEnv = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { 'added-by': 'someone-else' },
      annotations: { [annotation]: lastApplied('nginx:1.25', oldEnv), 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: oldEnv }] } },
    },
  };
  const newApplied = lastApplied('nginx:1.27', [{ name: 'A', value: '1' }]);
  // The body kubectl v1.32 sends for this change (CreateThreeWayMergePatch output).
  const patch = {
    metadata: { annotations: { [annotation]: newApplied } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }],
          containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], image: 'nginx:1.27', name: 'app' }],
        },
      },
    },
  };
  const want = structuredClone(live);
  want.metadata.annotations[annotation] = newApplied;
  want.spec.template.spec.containers = [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] }];
  assert.deepEqual(applyStrategicMergePatch(live, patch, deploymentSchema), want);
});

const errorCases: { name: string; patch: unknown; code: number; message: string }[] = [
  {
    name: 'a merging list element without its merge key is refused',
    patch: tplPatch({ containers: [{ image: 'x' }] }),
    code: 500,
    message: 'map: map[image:x] does not contain declared merge key: name',
  },
  {
    name: 'a $retainKeys that is not a list is a bad request',
    patch: { spec: { strategy: { $retainKeys: 'type', type: 'Recreate' } } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'a patch key missing from $retainKeys is a bad request',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'an unknown $patch directive on a map names the directive and the map',
    patch: { metadata: { labels: { $patch: 'frob' } } },
    code: 500,
    message: 'unknown patch type: frob in map: map[$patch:frob]',
  },
  {
    name: '$patch: merge inside a list is refused',
    patch: tplPatch({ containers: [{ name: 'app', $patch: 'merge' }] }),
    code: 500,
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: 'a $deleteFromPrimitiveList key without a list name is a bad request',
    patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
    code: 400,
    message: 'invalid patch format of primitive list',
  },
  {
    name: 'a $setElementOrder that contradicts the patch list is refused',
    patch: tplPatch({ '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'other', image: 'x' }] }),
    code: 500,
    message: "The order in patch list:\n[map[image:x name:other]]\n doesn't match $setElementOrder list:\n[map[name:app]]\n",
  },
  {
    name: 'a patch that is not an object is a bad request',
    patch: [1],
    code: 400,
    message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  },
];

for (const c of errorCases) {
  test(c.name, () => {
    assert.throws(
      () => applyStrategicMergePatch(deployment(), c.patch, deploymentSchema),
      (e: unknown) => e instanceof PatchError && e.code === c.code && e.message === c.message,
    );
  });
}

test('lists of lists in a merging list are unprocessable', () => {
  assert.throws(
    () => applyStrategicMergePatch({ mergingIntList: [] }, { mergingIntList: [[1]] }, generic),
    (e: unknown) => e instanceof PatchError && e.code === 422 && e.message === 'lists of lists are not supported',
  );
});
