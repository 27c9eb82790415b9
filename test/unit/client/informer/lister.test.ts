import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLabelSelector, SelectorParseError } from '../../../../pkg/api/selectors/labels.js';
import { Indexer, Lister, type DeepReadonly, type ListerSelector } from '../../../../pkg/client/informer/index.js';
import { obj, type TestObject } from '../../../helpers/fake-listwatch.js';

function lister(): Lister<TestObject> {
  const s = new Indexer<TestObject>();
  s.set(obj('a', 'web-1', { app: 'web', tier: 'front' }));
  s.set(obj('a', 'web-2', { app: 'web', tier: 'back' }));
  s.set(obj('a', 'db', { app: 'db' }));
  s.set(obj('b', 'web-3', { app: 'web' }));
  s.set(obj('b', 'plain'));
  return new Lister<TestObject>(s);
}

const names = (xs: readonly DeepReadonly<TestObject>[]): string[] => xs.map((o) => o.metadata!.name!).sort();

const cases: { name: string; ns?: string; selector?: ListerSelector; expect: string[] }[] = [
  { name: 'no selector lists everything', expect: ['db', 'plain', 'web-1', 'web-2', 'web-3'] },
  { name: 'an equality selector in text form filters by label', selector: 'app=web', expect: ['web-1', 'web-2', 'web-3'] },
  { name: 'set-based selector text is understood', selector: 'app in (web,db),tier!=back', expect: ['db', 'web-1', 'web-3'] },
  { name: 'an existence selector needs the label', selector: 'tier', expect: ['web-1', 'web-2'] },
  { name: 'a does-not-exist selector excludes labelled objects', selector: '!app', expect: ['plain'] },
  { name: 'a map of labels selects objects carrying all of them', selector: { app: 'web', tier: 'front' }, expect: ['web-1'] },
  { name: 'a parsed selector is used as is', selector: parseLabelSelector('app notin (web)'), expect: ['db', 'plain'] },
  { name: 'a namespace lister lists only its namespace', ns: 'b', expect: ['plain', 'web-3'] },
  { name: 'a namespace lister applies the selector too', ns: 'a', selector: 'app=web', expect: ['web-1', 'web-2'] },
  { name: 'an unknown namespace lists nothing', ns: 'zzz', expect: [] },
];
for (const tc of cases) {
  test(tc.name, () => {
    const l = lister();
    const got = tc.ns === undefined ? l.list(tc.selector) : l.namespace(tc.ns).list(tc.selector);
    assert.deepEqual(names(got), tc.expect);
  });
}

test('get finds an object by key and a namespace lister finds it by name', () => {
  const l = lister();
  assert.equal(l.get('a/db')?.metadata?.name, 'db');
  assert.equal(l.namespace('b').get('web-3')?.metadata?.namespace, 'b');
  assert.equal(l.namespace('a').get('web-3'), undefined);
  assert.equal(l.get('missing'), undefined);
});

test('invalid selector text is a SelectorParseError', () => {
  assert.throws(() => lister().list('app in (web'), SelectorParseError);
});
