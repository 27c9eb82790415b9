// The watch cache's window of recent events is bounded by bytes as well as by count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResourceCache } from '../../../pkg/apiserver/watchcache.js';
import type { KubeObject } from '../../../pkg/api/registry.js';

function cache(maxEventBytes?: number): ResourceCache {
  return new ResourceCache({
    prefix: '/registry/core/configmaps/',
    decode: () => ({}),
    capacity: 100,
    ...(maxEventBytes !== undefined ? { maxEventBytes } : {}),
    watcherQueueLimit: 1000,
  });
}

function add(c: ResourceCache, revision: number, bytes: number): void {
  const object: KubeObject = { metadata: { name: `cm-${revision}`, namespace: 'default', resourceVersion: String(revision) } };
  c.apply({ type: 'ADDED', key: `/registry/core/configmaps/default/cm-${revision}`, object, revision, bytes });
}

test('large events shorten the resumable window to the byte budget; older resourceVersions are 410 Gone', () => {
  const c = cache(1000);
  c.reset([], 10);
  for (let rev = 11; rev <= 15; rev++) add(c, rev, 300);
  // 5 x 300 bytes over a 1000-byte budget: only the last three events are kept.
  assert.throws(() => c.watch(11, 15, () => true, false), (err: { code?: number }) => err.code === 410);
  const w = c.watch(12, 15, () => true, false);
  assert.equal(w.closed, false);
  c.closeAll();
  // The objects themselves all stay: the budget bounds history, not state.
  assert.equal(c.objects.size, 5);
});

test('without a byte budget the window is bounded by the event count only', () => {
  const c = cache();
  c.reset([], 10);
  for (let rev = 11; rev <= 15; rev++) add(c, rev, 300);
  const w = c.watch(10, 15, () => true, false);
  assert.equal(w.closed, false);
  c.closeAll();
});

test('the newest event stays even when it alone is over the budget', () => {
  const c = cache(100);
  c.reset([], 10);
  add(c, 11, 50);
  add(c, 12, 5000);
  assert.throws(() => c.watch(10, 12, () => true, false), (err: { code?: number }) => err.code === 410);
  const w = c.watch(11, 12, () => true, false);
  assert.equal(w.closed, false);
  c.closeAll();
});
