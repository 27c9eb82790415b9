import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { MUTATION_TTL_MS, MutationCache } from '../../../../pkg/client/informer/index.js';

const obj = (uid: string, resourceVersion: string, replicas: number): { metadata: { uid: string; resourceVersion: string }; replicas: number } => ({ metadata: { uid, resourceVersion }, replicas });

test('our own write is read instead of the informer\'s older copy, until the informer shows it or something later', () => {
  const cache = new MutationCache<ReturnType<typeof obj>>(new FakeClock(0));
  cache.mutated(obj('a', '120', 3));
  assert.equal(cache.newest(obj('a', '100', 2)).replicas, 3, 'the informer is behind');
  assert.equal(cache.newest(obj('a', '120', 3)).replicas, 3, 'the informer caught up');
  assert.equal(cache.newest(obj('a', '100', 2)).replicas, 2, 'once caught up, the write is forgotten');
  cache.mutated(obj('a', '130', 4));
  assert.equal(cache.newest(obj('a', '140', 1)).replicas, 1, 'a later change by someone else wins');
});

test('a write is not applied to another object of the same name, nor remembered past its time, nor replaced by an older reply', () => {
  const clock = new FakeClock(0);
  const cache = new MutationCache<ReturnType<typeof obj>>(clock);
  cache.mutated(obj('a', '120', 3));
  assert.equal(cache.newest(obj('b', '100', 2)).replicas, 2, 'another uid: a recreated object');
  cache.mutated(obj('a', '110', 9));
  assert.equal(cache.newest(obj('a', '100', 2)).replicas, 3, 'the reply of an earlier write arriving late');
  clock.advance(MUTATION_TTL_MS + 1);
  assert.equal(cache.newest(obj('a', '100', 2)).replicas, 2, 'an informer that never shows it is believed after the TTL');
});

test('a write whose reply was lost leaves the object in doubt until the informer shows a later version, or the time runs out', () => {
  const clock = new FakeClock(0);
  const cache = new MutationCache<ReturnType<typeof obj>>(clock, { uncertainTtlMs: 15_000 });
  cache.mayHaveMutated(obj('a', '100', 2));
  assert.equal(cache.uncertain(obj('a', '100', 2)), true, 'the informer still shows the version the write was made on');
  assert.equal(cache.uncertain(obj('b', '100', 2)), false);
  assert.equal(cache.uncertain(obj('a', '101', 3)), false, 'the informer moved past it');
  assert.equal(cache.uncertain(obj('a', '100', 2)), false, 'settled for good');
  cache.mayHaveMutated(obj('a', '100', 2));
  cache.mutated(obj('a', '102', 4));
  assert.equal(cache.uncertain(obj('a', '100', 2)), false, 'a later write of ours answered: what it returned is known');
  cache.mayHaveMutated(obj('a', '102', 4));
  clock.advance(15_001);
  assert.equal(cache.uncertain(obj('a', '102', 4)), false, 'an informer that never moves is believed after the time');
});
