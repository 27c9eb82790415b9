import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, PatchError } from '../../../../pkg/api/patch/index.js';

const doc = {
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'slash', 'm~n': 'tilde' } },
  spec: { replicas: 1, containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }], empty: null },
};

const cases: { name: string; ops: unknown; want: unknown }[] = [
  {
    name: 'add creates a new object member',
    ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { ...doc.metadata.labels, tier: 'front' } } },
  },
  {
    name: 'add with "-" appends to an array',
    ops: [{ op: 'add', path: '/spec/containers/-', value: { name: 'c' } }],
    want: { ...doc, spec: { ...doc.spec, containers: [...doc.spec.containers, { name: 'c' }] } },
  },
  {
    name: 'add at an index inserts before the element there',
    ops: [{ op: 'add', path: '/spec/containers/0', value: { name: 'z' } }],
    want: { ...doc, spec: { ...doc.spec, containers: [{ name: 'z' }, ...doc.spec.containers] } },
  },
  {
    name: 'add at a negative index counts from the end',
    ops: [{ op: 'add', path: '/spec/containers/-1', value: { name: 'z' } }],
    want: { ...doc, spec: { ...doc.spec, containers: [...doc.spec.containers, { name: 'z' }] } },
  },
  {
    name: 'remove deletes an object member addressed with ~1 and ~0 escapes',
    ops: [
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'remove', path: '/metadata/labels/m~0n' },
    ],
    want: { ...doc, metadata: { ...doc.metadata, labels: { app: 'web' } } },
  },
  {
    name: 'remove deletes an array element',
    ops: [{ op: 'remove', path: '/spec/containers/0' }],
    want: { ...doc, spec: { ...doc.spec, containers: [doc.spec.containers[1]] } },
  },
  {
    name: 'replace changes a value',
    ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    want: { ...doc, spec: { ...doc.spec, replicas: 3 } },
  },
  {
    name: 'replace of a missing object member adds it, as upstream does',
    ops: [{ op: 'replace', path: '/spec/paused', value: true }],
    want: { ...doc, spec: { ...doc.spec, paused: true } },
  },
  {
    name: 'move takes a value from one place to another',
    ops: [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { 'a/b': 'slash', 'm~n': 'tilde', name: 'web' } } },
  },
  {
    name: 'copy duplicates a value deeply',
    ops: [{ op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' }, { op: 'replace', path: '/spec/containers/2/image', value: 'x' }],
    want: { ...doc, spec: { ...doc.spec, containers: [...doc.spec.containers, { name: 'a', image: 'x' }] } },
  },
  {
    name: 'a passing test lets the following operations run',
    ops: [{ op: 'test', path: '/spec/containers/1', value: { image: 'redis', name: 'b' } }, { op: 'replace', path: '/spec/replicas', value: 5 }],
    want: { ...doc, spec: { ...doc.spec, replicas: 5 } },
  },
  {
    name: 'test of a null member against null passes',
    ops: [{ op: 'test', path: '/spec/empty', value: null }],
    want: doc,
  },
  {
    name: 'replace of the whole document swaps the root',
    ops: [{ op: 'replace', path: '', value: { kind: 'X' } }],
    want: { kind: 'X' },
  },
  { name: 'a null patch changes nothing', ops: null, want: doc },
];

for (const c of cases) {
  test(c.name, () => {
    const before = structuredClone(doc);
    assert.deepEqual(applyJsonPatch(doc, c.ops), c.want);
    assert.deepEqual(doc, before, 'the input document is not modified');
  });
}

const failures: { name: string; ops: unknown; code: number; message: string }[] = [
  {
    name: 'add under a missing parent fails with the missing path',
    ops: [{ op: 'add', path: '/spec/template/metadata', value: {} }],
    code: 422,
    message: 'add operation does not apply: doc is missing path: "/spec/template/metadata": missing value',
  },
  {
    name: 'remove of a missing key names the key',
    ops: [{ op: 'remove', path: '/metadata/labels/nope' }],
    code: 422,
    message: "error in remove for path: '/metadata/labels/nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'remove past the end of an array is an invalid index',
    ops: [{ op: 'remove', path: '/spec/containers/2' }],
    code: 422,
    message: "error in remove for path: '/spec/containers/2': Unable to access invalid index: 2: invalid index referenced",
  },
  {
    name: 'add with a non-numeric array index says so',
    ops: [{ op: 'add', path: '/spec/containers/x', value: 1 }],
    code: 422,
    message: `error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
  },
  {
    name: 'add beyond the array end is an invalid index',
    ops: [{ op: 'add', path: '/spec/containers/5', value: 1 }],
    code: 422,
    message: "error in add for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'replace past the end of an array reports the missing key',
    ops: [{ op: 'replace', path: '/spec/containers/9', value: 1 }],
    code: 422,
    message: 'replace operation does not apply: doc is missing key: /spec/containers/9: missing value',
  },
  {
    name: 'a failing test stops the patch',
    ops: [{ op: 'test', path: '/spec/replicas', value: 2 }],
    code: 422,
    message: 'testing value /spec/replicas failed: test failed',
  },
  {
    name: 'move from a missing path fails',
    ops: [{ op: 'move', from: '/nope/x', path: '/y' }],
    code: 422,
    message: 'move operation does not apply: doc is missing from path: /nope/x: missing value',
  },
  {
    name: 'an operation without path fails to decode',
    ops: [{ op: 'add', value: 1 }],
    code: 422,
    message: 'add operation failed to decode path: missing value',
  },
  {
    name: 'an unknown operation is rejected',
    ops: [{ op: 'frobnicate', path: '/a' }],
    code: 422,
    message: 'Unexpected kind: frobnicate',
  },
  {
    name: 'a patch that is not a list is a bad request',
    ops: { op: 'add' },
    code: 400,
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
];

for (const c of failures) {
  test(c.name, () => {
    assert.throws(
      () => applyJsonPatch(doc, c.ops),
      (e: unknown) => e instanceof PatchError && e.code === c.code && e.message === c.message,
    );
  });
}

test('a 422 from a JSON patch carries upstream generic status message', () => {
  try {
    applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]);
    assert.fail('expected a failure');
  } catch (e) {
    assert.ok(e instanceof PatchError);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.statusMessage, 'the server rejected our request due to an error in our request');
  }
});

test('more operations than the upstream limit are refused with 413', () => {
  const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
  assert.throws(() => applyJsonPatch(doc, ops), (e: unknown) => e instanceof PatchError && e.code === 413 && /got 10001$/.test(e.message));
});
