import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldSelectorParseError,
  andFieldSelectors,
  escapeFieldValue,
  everythingFields,
  fieldSelectorFromSet,
  fieldsGetter,
  nothingFields,
  oneTermEqualSelector,
  oneTermNotEqualSelector,
  parseFieldSelector,
  tryParseFieldSelector,
  unescapeFieldValue,
  type FieldRequirement,
} from '../../../../pkg/api/selectors/fields.js';

// Strings that parse and print back unchanged (upstream's TestSelectorParse).
for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=a||y\\=b', 'x=a\\=\\=b']) {
  test(`"${s}" parses and prints back unchanged`, () => {
    assert.equal(parseFieldSelector(s).toString(), s);
  });
}

const req = (field: string, operator: '=' | '!=', value: string): FieldRequirement => ({ field, operator, value });

// Strings and the requirements they hold, terms sorted as strings.
const parseCases: [string, FieldRequirement[]][] = [
  ['metadata.name=foo', [req('metadata.name', '=', 'foo')]],
  ['metadata.name==foo', [req('metadata.name', '=', 'foo')]],
  ['status.phase!=Running', [req('status.phase', '!=', 'Running')]],
  ['spec.nodeName=,metadata.namespace=default', [req('metadata.namespace', '=', 'default'), req('spec.nodeName', '=', '')]],
  ['x=a,a=x', [req('a', '=', 'x'), req('x', '=', 'a')]],
  ['a=avalue,b==bvalue,c!=cvalue', [req('a', '=', 'avalue'), req('b', '=', 'bvalue'), req('c', '!=', 'cvalue')]],
  ['a=a,', [req('a', '=', 'a')]],
  [',a=a', [req('a', '=', 'a')]],
  ['k=\\,,k2=v2', [req('k2', '=', 'v2'), req('k', '=', ',')]],
  ['k=\\\\,k2=v2', [req('k2', '=', 'v2'), req('k', '=', '\\')]],
  ['k=\\\\\\,,k2=v2', [req('k2', '=', 'v2'), req('k', '=', '\\,')]],
  ['k=\\=', [req('k', '=', '=')]],
  ['함=수,목=록', [req('목', '=', '록'), req('함', '=', '수')]],
  ['a = b', [req('a ', '=', ' b')]],
  ['a==', [req('a', '=', '')]],
  ['=', []],
  ['=,a=b', [req('a', '=', 'b')]],
];
for (const [s, want] of parseCases) {
  test(`"${s}" parses to ${JSON.stringify(want)}`, () => {
    assert.deepEqual(parseFieldSelector(s).requirements(), want);
  });
}

const errorCases: [string, string][] = [
  ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
  ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
  ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
  ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
  ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
  ['x', "invalid selector: 'x'; can't understand 'x'"],
  ['a!==b', 'invalid field selector: unescaped character in value: 61'],
  ['k=\\a', 'invalid field selector: invalid escape sequence: \\a'],
  ['k=\\', 'invalid field selector: invalid escape sequence: \\'],
  ['k=a\\\\\\', 'invalid field selector: invalid escape sequence: \\'],
];
for (const [s, message] of errorCases) {
  test(`"${s}" is rejected: ${message}`, () => {
    assert.throws(
      () => parseFieldSelector(s),
      (e: unknown) => e instanceof FieldSelectorParseError && e.message === message,
    );
    assert.equal(tryParseFieldSelector(s), undefined);
  });
}

// Escaping round trips (upstream's TestEscapeValue).
const escapeCases: [string, string][] = [
  ['', ''],
  ['a', 'a'],
  ['=', '\\='],
  [',', '\\,'],
  ['\\', '\\\\'],
  ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
];
for (const [raw, escaped] of escapeCases) {
  test(`"${raw}" escapes to "${escaped}" and back`, () => {
    assert.equal(escapeFieldValue(raw), escaped);
    assert.equal(unescapeFieldValue(escaped), raw);
  });
}

const fields = { 'metadata.name': 'web-1', 'metadata.namespace': 'default', 'status.phase': 'Running', 'spec.nodeName': '' };
const matchCases: [string, boolean][] = [
  ['', true],
  ['metadata.name=web-1', true],
  ['metadata.name==web-1', true],
  ['metadata.name!=web-1', false],
  ['metadata.name=web-2', false],
  ['metadata.name=web-1,status.phase!=Pending', true],
  ['metadata.name=web-1,status.phase!=Running', false],
  ['spec.nodeName=', true],
  ['spec.nodeName!=', false],
  ['spec.missing=', true],
  ['spec.missing!=x', true],
  ['spec.missing=x', false],
];
for (const [s, want] of matchCases) {
  test(`"${s}" ${want ? 'matches' : 'does not match'} the fields (a missing field counts as empty)`, () => {
    assert.equal(parseFieldSelector(s).matches(fieldsGetter(fields)), want);
  });
}

test('parsing is deterministic whatever the order of terms', () => {
  assert.equal(parseFieldSelector('x=a,a=x').toString(), parseFieldSelector('a=x,x=a').toString());
});

test('everything is empty and matches all; nothing matches none and is not empty', () => {
  assert.equal(everythingFields().isEmpty(), true);
  assert.equal(everythingFields().matches(() => undefined), true);
  assert.equal(parseFieldSelector('').isEmpty(), true);
  assert.equal(parseFieldSelector('a=b').isEmpty(), false);
  assert.equal(nothingFields().isEmpty(), false);
  assert.equal(nothingFields().matches(() => 'x'), false);
});

test('requiresExactMatch finds an equality term only', () => {
  const s = parseFieldSelector('metadata.name=a,spec.nodeName!=b');
  assert.equal(s.requiresExactMatch('metadata.name'), 'a');
  assert.equal(s.requiresExactMatch('spec.nodeName'), undefined);
  assert.equal(oneTermEqualSelector('x', 'y').requiresExactMatch('x'), 'y');
  assert.equal(oneTermNotEqualSelector('x', 'y').requiresExactMatch('x'), undefined);
});

test('transform rewrites terms, drops emptied ones, and propagates errors', () => {
  const s = parseFieldSelector('name=a,status.phase=Running', (field, value) =>
    field === 'name' ? { field: 'metadata.name', value } : { field, value },
  );
  assert.equal(s.toString(), 'metadata.name=a,status.phase=Running');
  const dropped = parseFieldSelector('a=b').transform(() => ({ field: '', value: '' }));
  assert.equal(dropped.isEmpty(), true);
  assert.throws(
    () =>
      parseFieldSelector('spec.bogus=x', (field) => {
        throw new FieldSelectorParseError(`field label not supported: ${field}`);
      }),
    /field label not supported: spec.bogus/,
  );
});

test('escaped values print escaped again', () => {
  assert.equal(oneTermEqualSelector('a', 'x,y=z').toString(), 'a=x\\,y\\=z');
  assert.equal(parseFieldSelector(oneTermEqualSelector('a', 'x,y=z').toString()).requiresExactMatch('a'), 'x,y=z');
});

test('selectors built from a set or by AND hold all their terms', () => {
  assert.deepEqual(fieldSelectorFromSet({ a: '1' }).requirements(), [req('a', '=', '1')]);
  assert.equal(fieldSelectorFromSet(undefined).isEmpty(), true);
  const and = andFieldSelectors(oneTermEqualSelector('a', '1'), oneTermNotEqualSelector('b', '2'));
  assert.equal(and.toString(), 'a=1,b!=2');
  assert.equal(and.matches(fieldsGetter({ a: '1', b: '3' })), true);
  assert.equal(and.matches(fieldsGetter({ a: '1', b: '2' })), false);
});
