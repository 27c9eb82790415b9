import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, PatchError } from '../../../../pkg/api/patch/index.js';

const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
  { name: 'a member is added', doc: { a: 1 }, patch: { b: 2 }, want: { a: 1, b: 2 } },
  { name: 'a member is replaced', doc: { a: 1 }, patch: { a: 'x' }, want: { a: 'x' } },
  { name: 'null removes a member', doc: { a: 1, b: 2 }, patch: { a: null }, want: { b: 2 } },
  { name: 'null for an absent member changes nothing', doc: { a: 1 }, patch: { z: null }, want: { a: 1 } },
  {
    name: 'objects merge recursively and labels are removed by null',
    doc: { metadata: { labels: { app: 'web', tier: 'front' } } },
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    want: { metadata: { labels: { app: 'web', env: 'prod' } } },
  },
  { name: 'arrays are replaced as a whole', doc: { l: [1, 2, 3] }, patch: { l: [4] }, want: { l: [4] } },
  { name: 'an object replaces a scalar with its nulls dropped', doc: { a: 1 }, patch: { a: { b: null, c: 1 } }, want: { a: { c: 1 } } },
  { name: 'a new object member has its nested nulls dropped', doc: {}, patch: { a: { b: { c: null, d: 1 } } }, want: { a: { b: { d: 1 } } } },
  { name: 'null elements inside arrays are kept', doc: {}, patch: { a: [null, { b: null }] }, want: { a: [null, {}] } },
  { name: 'a scalar replaces an object', doc: { a: { b: 1 } }, patch: { a: 'x' }, want: { a: 'x' } },
];

for (const c of cases) {
  test(c.name, () => {
    const before = structuredClone(c.doc);
    assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want);
    assert.deepEqual(c.doc, before);
  });
}

test('a null or scalar merge patch is an Invalid JSON Patch bad request', () => {
  for (const p of [null, 5, 'x']) {
    assert.throws(() => applyMergePatch({ a: 1 }, p), (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === 'Invalid JSON Patch');
  }
});
