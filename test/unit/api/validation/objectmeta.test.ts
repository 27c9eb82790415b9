import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from '../../../../pkg/api/meta/v1.js';
import { FieldPath, errorString } from '../../../../pkg/api/validation/field.js';
import {
  type ObjectMetaValidationOptions,
  nameIsDNSSubdomain,
  semanticDeepEqual,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../../../pkg/api/validation/objectmeta.js';

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const namespaced: ObjectMetaValidationOptions = { namespaced: true, nameValidation: 'subdomain' };
const cluster: ObjectMetaValidationOptions = { namespaced: false, nameValidation: 'subdomain' };
const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' };

const createCases: [string, ObjectMeta | undefined, ObjectMetaValidationOptions, string[]][] = [
  ['a complete namespaced object is valid', { name: 'web', namespace: 'default', labels: { app: 'web' } }, namespaced, []],
  ['a cluster-scoped object without namespace is valid', { name: 'node-1' }, cluster, []],
  ['missing metadata needs a name and a namespace', undefined, namespaced, ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']],
  ['a name is required', { namespace: 'default' }, namespaced, ['metadata.name: Required value: name or generateName is required']],
  ['an upper-case name is not a subdomain', { name: 'Web_1', namespace: 'default' }, namespaced, [`metadata.name: Invalid value: "Web_1": ${subdomainMsg}`]],
  ['a dotted name is not a label', { name: 'a.b', namespace: 'default' }, { namespaced: true, nameValidation: 'label' }, ['metadata.name: Invalid value: "a.b": must not contain dots']],
  [
    'a DNS-1035 name must start with a letter',
    { name: '1svc', namespace: 'default' },
    { namespaced: true, nameValidation: 'dns1035' },
    [
      "metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
  ['a path-segment name may not contain a slash', { name: 'a/b' }, { namespaced: false, nameValidation: 'pathSegment' }, ['metadata.name: Invalid value: "a/b": may not contain \'/\'']],
  ['a path-segment name allows upper case', { name: 'system:Admin' }, { namespaced: false, nameValidation: 'pathSegment' }, []],
  ['a custom name function is used', { name: 'x' }, { namespaced: false, nameValidation: () => ['nope'] }, ['metadata.name: Invalid value: "x": nope']],
  ['a generateName may end with a dash', { generateName: 'web-', name: 'web-abcde', namespace: 'default' }, namespaced, []],
  [
    'a bad generateName is reported',
    { generateName: 'Web-', name: 'web-abcde', namespace: 'default' },
    namespaced,
    [`metadata.generateName: Invalid value: "Web-": ${subdomainMsg}`],
  ],
  ['a bad namespace is reported as a label', { name: 'a', namespace: 'Bad_NS' }, namespaced, [`metadata.namespace: Invalid value: "Bad_NS": ${labelMsg}`]],
  ['a namespace on a cluster-scoped kind is forbidden', { name: 'a', namespace: 'default' }, cluster, ['metadata.namespace: Forbidden: not allowed on this type']],
  ['generation may not be negative', { name: 'a', generation: -1 }, cluster, ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']],
  [
    'owner references need apiVersion, kind, name and uid',
    { name: 'a', ownerReferences: [{} as never] },
    cluster,
    [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ],
  ],
  ['an owner apiVersion with two slashes has no version', { name: 'a', ownerReferences: [{ ...ref, apiVersion: 'a/b/c' }] }, cluster, ['metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty']],
  ['finalizers may be standard or qualified', { name: 'a', finalizers: ['kubernetes', 'orphan', 'example.com/cleanup'] }, cluster, []],
  [
    'an unqualified non-standard finalizer is invalid',
    { name: 'a', finalizers: ['example.com/ok', 'cleanup'] },
    cluster,
    ['metadata.finalizers[1]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'],
  ],
  [
    'orphan and foregroundDeletion conflict',
    { name: 'a', finalizers: ['orphan', 'foregroundDeletion'] },
    cluster,
    ['metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set'],
  ],
  [
    'a finalizer must be a qualified name',
    { name: 'a', finalizers: ['a/b/c'] },
    cluster,
    [
      "metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  ],
  [
    'managed fields need a known operation and fields type',
    { name: 'a', managedFields: [{ manager: 'kubectl', operation: 'Patch', fieldsType: 'FieldsV2' }] },
    cluster,
    ['metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`', 'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`'],
  ],
];
for (const [name, meta, opts, want] of createCases) {
  test(`create: ${name}`, () => {
    assert.deepEqual(validateObjectMeta(meta, opts).map(errorString), want);
  });
}

test('create: a field manager must be printable', () => {
  const errs = validateObjectMeta({ name: 'a', managedFields: [{ manager: 'é\u0007', operation: 'Update' }] }, cluster);
  assert.deepEqual(
    errs.map((e) => [e.field, e.detail]),
    [['metadata.managedFields[0].manager', 'invalid character U+0007 (at position 2)']],
  );
});

test('create: only one owner reference may be the controller', () => {
  const errs = validateObjectMeta(
    {
      name: 'a',
      ownerReferences: [
        { ...ref, controller: true },
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u2', controller: true },
      ],
    },
    cluster,
  );
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'metadata.ownerReferences');
  assert.equal(errs[0]!.detail, 'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and Deployment/d');
});

test('create: an Event may not own anything', () => {
  const errs = validateObjectMeta({ name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] }, cluster);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'metadata.ownerReferences');
  assert.equal(errs[0]!.detail, '/v1, Kind=Event is disallowed from being an owner');
});

test('create: non-standard finalizer names can be allowed for custom resources', () => {
  assert.deepEqual(validateObjectMeta({ name: 'a', finalizers: ['cleanup'] }, { ...cluster, standardFinalizerNames: false }), []);
});

test('create: a generateName prefix gets its trailing dash masked as upstream does', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('web-', false), [subdomainMsg]);
  assert.deepEqual(nameIsDNSSubdomain('a.-', true), []);
});

const old: ObjectMeta = {
  name: 'web',
  namespace: 'default',
  uid: 'u1',
  resourceVersion: '5',
  generation: 2,
  creationTimestamp: '2024-01-01T00:00:00Z',
  finalizers: ['example.com/a'],
};

const updateCases: [string, ObjectMeta, ObjectMeta, string[]][] = [
  ['an unchanged object is valid', { ...old }, old, []],
  ['labels and annotations may change', { ...old, labels: { a: 'b' }, annotations: { x: 'y' } }, old, []],
  ['the name is immutable', { ...old, name: 'other' }, old, ['metadata.name: Invalid value: "other": field is immutable']],
  ['the namespace is immutable', { ...old, namespace: 'x' }, old, ['metadata.namespace: Invalid value: "x": field is immutable']],
  ['the uid is immutable', { ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
  [
    'the creation timestamp is immutable',
    { ...old, creationTimestamp: '2025-01-01T00:00:00Z' },
    old,
    ['metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable'],
  ],
  ['deletionGracePeriodSeconds is immutable', { ...old, deletionGracePeriodSeconds: 30 }, old, ['metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable']],
  ['a resourceVersion is required', { ...old, resourceVersion: undefined }, old, ['metadata.resourceVersion: Invalid value: "": must be specified for an update']],
  ['generation may not go back', { ...old, generation: 1 }, old, ['metadata.generation: Invalid value: 1: must not be decremented']],
  [
    'no finalizer may be added once deletion started',
    { ...old, deletionTimestamp: 't', finalizers: ['example.com/a', 'example.com/c', 'example.com/b'] },
    { ...old, deletionTimestamp: 't' },
    ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b", "example.com/c"}'],
  ],
  ['finalizers may be removed during deletion', { ...old, deletionTimestamp: 't', finalizers: [] }, { ...old, deletionTimestamp: 't' }, []],
  ['new labels are validated', { ...old, labels: { app: 'a b' } }, old, [
    "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]],
  [
    'new finalizers must be standard or qualified',
    { ...old, finalizers: ['cleanup'] },
    old,
    ['metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'],
  ],
];
for (const [name, n, o, want] of updateCases) {
  test(`update: ${name}`, () => {
    assert.deepEqual(validateObjectMetaUpdate(n, o).map(errorString), want);
  });
}

const equalityCases: [string, unknown, unknown, boolean][] = [
  ['equal strings', 'a', 'a', true],
  ['unset and empty string', undefined, '', true],
  ['null and an empty list', null, [], true],
  ['an empty map and unset', {}, undefined, true],
  ['unset and zero stay distinct', undefined, 0, false],
  ['equal nested objects with a missing empty field', { matchLabels: { a: 'b' }, matchExpressions: [] }, { matchLabels: { a: 'b' } }, true],
  ['objects differing deep inside', { matchLabels: { a: 'b' } }, { matchLabels: { a: 'c' } }, false],
  ['lists in another order', ['a', 'b'], ['b', 'a'], false],
];
for (const [name, a, b, want] of equalityCases) {
  test(`semantic equality: ${name} ${want ? 'are' : 'are not'} equal`, () => {
    assert.equal(semanticDeepEqual(a, b), want);
    assert.equal(validateImmutableField(a, b, FieldPath.root('spec').child('selector')).length, want ? 0 : 1);
  });
}
