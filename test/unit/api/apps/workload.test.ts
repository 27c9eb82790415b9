import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerCells,
  formatLabels,
  formatLabelSelector,
  intOrPercentValue,
  semanticEqual,
} from '../../../../pkg/api/apps/v1/workload.js';

const equalities: { name: string; a: unknown; b: unknown; want: boolean }[] = [
  { name: 'a missing list equals an empty one', a: { xs: [] }, b: {}, want: true },
  { name: 'a missing map equals an empty one', a: { m: {} }, b: { m: undefined }, want: true },
  { name: 'a missing string equals an empty one', a: { s: '' }, b: {}, want: true },
  { name: 'a missing number differs from zero', a: { n: 0 }, b: {}, want: false },
  { name: 'key order does not matter', a: { x: 1, y: 2 }, b: { y: 2, x: 1 }, want: true },
  { name: 'list order matters', a: [1, 2], b: [2, 1], want: false },
  { name: 'nested differences are found', a: { s: { t: [{ u: 'a' }] } }, b: { s: { t: [{ u: 'b' }] } }, want: false },
];

for (const c of equalities) {
  test(`semantic equality: ${c.name}`, () => {
    assert.equal(semanticEqual(c.a, c.b), c.want);
  });
}

const values: { name: string; v: number | string | undefined; want: number }[] = [
  { name: 'a percentage counts as its number', v: '25%', want: 25 },
  { name: 'an integer is itself', v: 3, want: 3 },
  { name: 'a numeric string is its number', v: '7', want: 7 },
  { name: 'anything else is zero', v: 'abc', want: 0 },
  { name: 'a missing value is zero', v: undefined, want: 0 },
];

for (const c of values) {
  test(`int-or-percent value: ${c.name}`, () => {
    assert.equal(intOrPercentValue(c.v), c.want);
  });
}

test('label selectors print in canonical form, and as <none> when they select all or nothing', () => {
  assert.equal(formatLabelSelector({ matchLabels: { tier: 'web', app: 'shop' } }), 'app=shop,tier=web');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'dev'] }] }), 'env notin (dev,prod)');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Near' }] }), '<error>');
});

test('label sets print sorted, and as <none> when empty', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
});

test('container cells join names and images with commas', () => {
  assert.deepEqual(containerCells([{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y' }]), ['a,b', 'x:1,y']);
  assert.deepEqual(containerCells(undefined), ['', '']);
});
