import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SelectorParseError,
  everythingSelector,
  formatLabels,
  labelSelectorAsSelector,
  labelSelectorAsSelectorOrNothing,
  labelSelectorAsString,
  newRequirement,
  nothingSelector,
  parseLabelSelector,
  selectorFromSet,
  tryParseLabelSelector,
  validatedSelectorFromSet,
  type Requirement,
} from '../../../../pkg/api/selectors/labels.js';

// Valid strings that print back without their spaces (upstream's TestSelectorParse).
for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
  test(`"${s}" parses and prints back as "${s.replaceAll(' ', '')}"`, () => {
    assert.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''));
  });
}

const r = (key: string, operator: Requirement['operator'], values: string[] = []): Requirement => ({ key, operator, values });

// Strings and the requirements they parse to, sorted by key (upstream's TestSetSelectorParser).
const parseCases: [string, Requirement[]][] = [
  ['', []],
  ['\rx', [r('x', 'exists')]],
  ['this-is-a-dns.domain.com/key-with-dash', [r('this-is-a-dns.domain.com/key-with-dash', 'exists')]],
  ['this-is-another-dns.domain.com/key-with-dash in (so,what)', [r('this-is-another-dns.domain.com/key-with-dash', 'in', ['so', 'what'])]],
  ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', [r('0.1.2.domain/99', 'notin', ['10.10.100.1', 'tick.tack.clock'])]],
  ['foo  in\t (abc)', [r('foo', 'in', ['abc'])]],
  ['x notin\n (abc)', [r('x', 'notin', ['abc'])]],
  ['x  notin\t\t\t(abc,def)', [r('x', 'notin', ['abc', 'def'])]],
  ['x in (def,abc)', [r('x', 'in', ['abc', 'def'])]],
  ['x in (abc,)', [r('x', 'in', ['', 'abc'])]],
  ['x in ()', [r('x', 'in', [''])]],
  ['x notin (abc,,def),bar,z in (),w', [r('bar', 'exists'), r('w', 'exists'), r('x', 'notin', ['', 'abc', 'def']), r('z', 'in', [''])]],
  ['x,y in (a)', [r('x', 'exists'), r('y', 'in', ['a'])]],
  ['x=a', [r('x', '=', ['a'])]],
  ['x==a', [r('x', '==', ['a'])]],
  ['x>1', [r('x', 'gt', ['1'])]],
  ['x<7', [r('x', 'lt', ['7'])]],
  ['x=a,y!=b', [r('x', '=', ['a']), r('y', '!=', ['b'])]],
  ['x=a,y!=b,z in (h,i,j)', [r('x', '=', ['a']), r('y', '!=', ['b']), r('z', 'in', ['h', 'i', 'j'])]],
  ['x notin ( )', [r('x', 'notin', [''])]],
  ['x notin (, a)', [r('x', 'notin', ['', 'a'])]],
  ['a ', [r('a', 'exists')]],
  ['a in (x,y,notin, z,in)', [r('a', 'in', ['in', 'notin', 'x', 'y', 'z'])]],
  ['notin=in', [r('notin', '=', ['in'])]],
  ['in in (in)', [r('in', 'in', ['in'])]],
  ['z=1,a=2,m', [r('a', '=', ['2']), r('m', 'exists'), r('z', '=', ['1'])]],
  ['app = web , tier != db', [r('app', '=', ['web']), r('tier', '!=', ['db'])]],
  ['!a,b', [r('a', '!'), r('b', 'exists')]],
  ['x in (a,a,b)', [r('x', 'in', ['a', 'b'])]],
];
for (const [s, want] of parseCases) {
  test(`"${JSON.stringify(s).slice(1, -1)}" parses to ${want.length} requirement(s) sorted by key`, () => {
    assert.deepEqual(parseLabelSelector(s).requirements(), want);
  });
}

// Invalid strings and upstream's error text.
const keyRegexMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRegexMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const errorCases: [string, string][] = [
  ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${valueRegexMsg}`],
  ['x==a==b', "found '==', expected: ',' or 'end of string'"],
  ['!x=a', "found '=', expected: ',' or 'end of string'"],
  ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['x,,y', "found ',', expected: identifier after ','"],
  [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
  ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
  ['a in (xyz),', "found '', expected: identifier after ','"],
  ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
  ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
  ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
  ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
  ['(', "found '(', expected: !, identifier, or 'end of string'"],
  ['a in x', "unable to parse requirement: found 'x' expected: '('"],
  ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
  ['a=(', "unable to parse requirement: found '(', expected: identifier"],
  ['!', "unable to parse requirement: found '', expected: identifier"],
  ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ['x<-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${valueRegexMsg}`],
  ['Bad_', `unable to parse requirement: <nil>: Invalid value: "Bad_": ${keyRegexMsg}`],
  ['a/b/c=d', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
  ['x>1.5', `unable to parse requirement: values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['x=' + 'a'.repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
  [
    'x in (-a,b-)',
    `unable to parse requirement: [values[0][x]: Invalid value: "-a": ${valueRegexMsg}, values[1][x]: Invalid value: "b-": ${valueRegexMsg}]`,
  ],
];
for (const [s, message] of errorCases) {
  test(`"${s.length > 30 ? s.slice(0, 30) + '…' : s}" is rejected: ${message.slice(0, 60)}`, () => {
    assert.throws(
      () => parseLabelSelector(s),
      (e: unknown) => e instanceof SelectorParseError && e.message === message,
    );
    assert.equal(tryParseLabelSelector(s), undefined);
  });
}

// Selector string, labels, expected match (upstream's TestSelectorMatches plus set cases).
const labelset = { foo: 'bar', baz: 'blah' };
const matchCases: [string, Record<string, string> | undefined, boolean][] = [
  ['', { x: 'y' }, true],
  ['', undefined, true],
  ['x=y', { x: 'y' }, true],
  ['x=y,z=w', { x: 'y', z: 'w' }, true],
  ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
  ['notin=in', { notin: 'in' }, true],
  ['x', { x: 'z' }, true],
  ['!x', { y: 'z' }, true],
  ['x>1', { x: '2' }, true],
  ['x<1', { x: '0' }, true],
  ['x=z', {}, false],
  ['x=y', { x: 'z' }, false],
  ['x=y,z=w', { x: 'w', z: 'w' }, false],
  ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
  ['x', { y: 'z' }, false],
  ['!x', { x: 'z' }, false],
  ['x>1', { x: '0' }, false],
  ['x<1', { x: '2' }, false],
  ['x>1', { x: 'v2' }, false],
  ['x>1', {}, false],
  ['x<10', { x: '-2' }, true],
  ['x>9223372036854775807', { x: '9223372036854775808' }, false],
  ['foo=bar', labelset, true],
  ['baz=blah', labelset, true],
  ['foo=bar,baz=blah', labelset, true],
  ['foo=blah', labelset, false],
  ['baz=bar', labelset, false],
  ['foo=bar,foobar=bar,baz=blah', labelset, false],
  ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
  ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
  ['x notin (),y', { y: '' }, true],
  ['!x,y', { y: '' }, true],
  ['x notin (),!y', { y: '' }, false],
  ['x in ()', { y: 'baz' }, false],
  ['x in ()', { x: '' }, true],
  ['x notin (a,b)', {}, true],
  ['x notin (a,b)', { x: 'a' }, false],
  ['x=', { x: '' }, true],
  ['x=', {}, false],
  ['x!=', {}, true],
  ['toString', {}, false],
  ['constructor', {}, false],
];
for (const [s, labels, want] of matchCases) {
  test(`"${s}" ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
    assert.equal(parseLabelSelector(s).matches(labels), want);
  });
}

test('parsing is deterministic whatever the order of terms', () => {
  assert.equal(parseLabelSelector('x=a,a=x').toString(), parseLabelSelector('a=x,x=a').toString());
  assert.equal(parseLabelSelector('x=a,a=x').toString(), 'a=x,x=a');
});

test('printing normalizes set values and spacing', () => {
  assert.equal(parseLabelSelector('x in (def , abc),y notin (jkl),z').toString(), 'x in (abc,def),y notin (jkl),z');
  assert.equal(parseLabelSelector('z notin (),  !w').toString(), '!w,z notin ()');
  assert.equal(parseLabelSelector('x == abc').toString(), 'x==abc');
});

test('the everything selector is empty and matches all; nothing matches none and is not empty', () => {
  assert.equal(everythingSelector().isEmpty(), true);
  assert.equal(everythingSelector().matches({ a: 'b' }), true);
  assert.equal(nothingSelector().isEmpty(), false);
  assert.equal(nothingSelector().matches({}), false);
  assert.equal(nothingSelector().toString(), '');
  assert.equal(parseLabelSelector('').isEmpty(), true);
  assert.equal(parseLabelSelector('a').isEmpty(), false);
});

const asSelectorCases: [string, Parameters<typeof labelSelectorAsSelector>[0], string, Record<string, string>, boolean][] = [
  ['a null selector matches nothing', null, '', {}, false],
  ['an undefined selector matches nothing', undefined, '', { a: 'b' }, false],
  ['an empty selector matches everything', {}, '', { a: 'b' }, true],
  ['empty lists match everything', { matchLabels: {}, matchExpressions: [] }, '', {}, true],
  ['matchLabels become equality requirements', { matchLabels: { app: 'web', tier: 'fe' } }, 'app=web,tier=fe', { app: 'web', tier: 'fe', x: 'y' }, true],
  ['every matchLabel must hold', { matchLabels: { app: 'web', tier: 'fe' } }, 'app=web,tier=fe', { app: 'web' }, false],
  [
    'expressions join the labels sorted by key',
    {
      matchLabels: { z: '1' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'b', operator: 'NotIn', values: ['x'] },
        { key: 'a', operator: 'Exists' },
        { key: 'c', operator: 'DoesNotExist' },
      ],
    },
    'a,b notin (x),!c,env in (dev,prod),z=1',
    { z: '1', env: 'dev', a: '' },
    true,
  ],
];
for (const [name, sel, str, labels, want] of asSelectorCases) {
  test(`labelSelectorAsSelector: ${name}`, () => {
    const s = labelSelectorAsSelector(sel);
    assert.equal(s.toString(), str);
    assert.equal(s.matches(labels), want);
  });
}

const asSelectorErrors: [string, Parameters<typeof labelSelectorAsSelector>[0], string][] = [
  ['an unknown operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
  ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"],
  [
    'Exists with values',
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
  ],
  ['a bad label value', { matchLabels: { a: 'b c' } }, `values[0][a]: Invalid value: "b c": ${valueRegexMsg}`],
  ['a bad key', { matchLabels: { '-a': 'b' } }, `key: Invalid value: "-a": ${keyRegexMsg}`],
];
for (const [name, sel, message] of asSelectorErrors) {
  test(`labelSelectorAsSelector rejects ${name}`, () => {
    assert.throws(
      () => labelSelectorAsSelector(sel),
      (e: unknown) => e instanceof SelectorParseError && e.message === message,
    );
    assert.equal(labelSelectorAsSelectorOrNothing(sel).matches({}), false);
  });
}

test('labelSelectorAsString prints <none> for a missing selector and the requirements otherwise', () => {
  assert.equal(labelSelectorAsString(undefined), '<none>');
  assert.equal(labelSelectorAsString({}), '');
  assert.equal(labelSelectorAsString({ matchLabels: { app: 'web' } }), 'app=web');
});

test('selectorFromSet builds sorted equality requirements without validating', () => {
  const s = selectorFromSet({ b: '2', a: 'not valid!' });
  assert.equal(s.toString(), 'a=not valid!,b=2');
  assert.equal(s.matches({ a: 'not valid!', b: '2' }), true);
  assert.equal(selectorFromSet(undefined).isEmpty(), true);
  assert.equal(selectorFromSet({}).matches({ x: 'y' }), true);
});

test('validatedSelectorFromSet rejects invalid values', () => {
  assert.throws(() => validatedSelectorFromSet({ a: 'not valid!' }), SelectorParseError);
  assert.equal(validatedSelectorFromSet({ a: 'b' }).toString(), 'a=b');
});

test('newRequirement reports an unsupported operator and wrong value counts', () => {
  assert.throws(() => newRequirement('a', '=', ['x', 'y']), /exact-match compatibility requires one single value/);
  assert.throws(() => newRequirement('a', 'gt', []), /for 'Gt', 'Lt' operators, exactly one value is required/);
  assert.throws(
    () => newRequirement('a', 'bogus' as Requirement['operator'], []),
    (e: unknown) => e instanceof Error && e.message === 'operator: Unsupported value: "bogus": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
  );
});

test('formatLabels prints a set sorted by key', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels(undefined), '');
});
