import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../../../pkg/api/resource/quantity.js';
import { FieldPath, errorString } from '../../../../pkg/api/validation/field.js';
import {
  type ResourceRequirementsLike,
  isExtendedResourceName,
  isIntegerResourceName,
  isOvercommitAllowed,
  validateContainerResourceName,
  validateNonnegativeQuantity,
  validateResourceList,
  validateResourceName,
  validateResourceQuantityValue,
  validateResourceQuotaResourceName,
  validateResourceRequirements,
} from '../../../../pkg/api/validation/resources.js';

const p = FieldPath.root('spec').child('hard').key('cpu');

const quantityCases: [string, string, unknown, string[]][] = [
  ['a milli-cpu amount is fine', 'cpu', '500m', []],
  ['a number is fine', 'memory', 1073741824, []],
  ['a Quantity object is fine', 'memory', parseQuantity('1Gi'), []],
  ['zero is fine', 'cpu', '0', []],
  ['a negative amount is rejected', 'cpu', '-1', ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
  ['a fractional pod count is rejected', 'pods', '1.5', ['spec.hard[cpu]: Invalid value: "1500m": must be an integer']],
  ['a fractional extended resource is rejected', 'example.com/gpu', '500m', ['spec.hard[cpu]: Invalid value: "500m": must be an integer']],
  ['a whole extended resource in milli units is fine', 'example.com/gpu', '2000m', []],
  ['a value within a milli of a whole number passes, as upstream', 'example.com/gpu', '1.9999', []],
  ['fractional memory is allowed', 'memory', '1.5', []],
  [
    'an unparsable value is rejected with the parse error',
    'cpu',
    'abc',
    ["spec.hard[cpu]: Invalid value: \"abc\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ],
  ['a bad suffix is rejected', 'cpu', '1ki', ['spec.hard[cpu]: Invalid value: "1ki": unable to parse quantity\'s suffix']],
  ['a negative integer resource reports both problems', 'pods', '-1.5', ['spec.hard[cpu]: Invalid value: "-1500m": must be greater than or equal to 0', 'spec.hard[cpu]: Invalid value: "-1500m": must be an integer']],
];
for (const [name, resource, value, want] of quantityCases) {
  test(`quantity value: ${name}`, () => {
    assert.deepEqual(validateResourceQuantityValue(resource, value, p).map(errorString), want);
  });
}

test('validateNonnegativeQuantity reports the canonical string', () => {
  assert.deepEqual(validateNonnegativeQuantity(parseQuantity('-0.5'), p).map(errorString), ['spec.hard[cpu]: Invalid value: "-500m": must be greater than or equal to 0']);
  assert.deepEqual(validateNonnegativeQuantity(parseQuantity('0.5'), p), []);
  assert.deepEqual(validateNonnegativeQuantity('-1Gi', p).map(errorString), ['spec.hard[cpu]: Invalid value: "-1Gi": must be greater than or equal to 0']);
  assert.deepEqual(validateNonnegativeQuantity(3, p), []);
  assert.equal(validateNonnegativeQuantity('x', p)[0]!.type, 'FieldValueInvalid');
});

const kindCases: [string, boolean, boolean, boolean][] = [
  // name, extended, integer, overcommit allowed
  ['cpu', false, false, true],
  ['memory', false, false, true],
  ['pods', false, true, true],
  ['services.loadbalancers', false, true, true],
  ['hugepages-2Mi', false, false, false],
  ['kubernetes.io/something', false, false, true],
  ['example.com/gpu', true, true, false],
  ['requests.example.com/gpu', false, false, false],
];
for (const [name, extended, integer, overcommit] of kindCases) {
  test(`"${name}" is ${extended ? '' : 'not '}extended, ${integer ? '' : 'not '}integer, overcommit ${overcommit ? 'allowed' : 'forbidden'}`, () => {
    assert.equal(isExtendedResourceName(name), extended);
    assert.equal(isIntegerResourceName(name), integer);
    assert.equal(isOvercommitAllowed(name), overcommit);
  });
}

const np = FieldPath.root('x');
const qnameRegex =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const nameCases: [string, (n: string, p: FieldPath) => ReturnType<typeof validateResourceName>, string, string[]][] = [
  ['resource', validateResourceName, 'cpu', []],
  ['resource', validateResourceName, 'requests.storage', []],
  ['resource', validateResourceName, 'hugepages-1Gi', []],
  ['resource', validateResourceName, 'example.com/foo', []],
  ['resource', validateResourceName, 'foo', ['x: Invalid value: "foo": must be a standard resource type or fully qualified']],
  ['resource', validateResourceName, 'a b', [`x: Invalid value: "a b": ${qnameRegex}`]],
  ['container', validateContainerResourceName, 'ephemeral-storage', []],
  ['container', validateContainerResourceName, 'hugepages-2Mi', []],
  ['container', validateContainerResourceName, 'example.com/gpu', []],
  ['container', validateContainerResourceName, 'pods', ['x: Invalid value: "pods": must be a standard resource for containers']],
  [
    'container',
    validateContainerResourceName,
    'foo',
    ['x: Invalid value: "foo": must be a standard resource type or fully qualified', 'x: Invalid value: "foo": must be a standard resource for containers'],
  ],
  ['container', validateContainerResourceName, 'requests.example.com/gpu', ['x: Invalid value: "requests.example.com/gpu": doesn\'t follow extended resource name standard']],
  ['quota', validateResourceQuotaResourceName, 'requests.cpu', []],
  ['quota', validateResourceQuotaResourceName, 'count/deployments.apps', []],
  ['quota', validateResourceQuotaResourceName, 'storage', ['x: Invalid value: "storage": must be a standard resource for quota']],
];
for (const [kind, fn, name, want] of nameCases) {
  test(`${kind} name "${name}" ${want.length ? 'is rejected' : 'is accepted'}`, () => {
    assert.deepEqual(fn(name, np).map(errorString), want);
  });
}

const rp = FieldPath.root('spec').child('containers').index(0).child('resources');
const reqCases: [string, ResourceRequirementsLike | undefined, string[]][] = [
  ['no requirements are fine', undefined, []],
  ['requests below limits are fine', { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }, []],
  ['requests without limits are fine', { requests: { cpu: '2' } }, []],
  ['equal extended request and limit are fine', { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }, []],
  [
    'a cpu request above the limit is rejected',
    { requests: { cpu: '600m' }, limits: { cpu: '500m' } },
    ['spec.containers[0].resources.requests: Invalid value: "600m": must be less than or equal to cpu limit of 500m'],
  ],
  [
    'a memory request above the limit is rejected',
    { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } },
    ['spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi'],
  ],
  [
    'an extended request needs a limit',
    { requests: { 'example.com/gpu': '1' } },
    ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources'],
  ],
  [
    'an extended request must equal its limit',
    { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } },
    ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2'],
  ],
  [
    'a fractional extended limit is rejected',
    { limits: { 'example.com/gpu': '0.5' } },
    ['spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "500m": must be an integer'],
  ],
  [
    'a negative limit is rejected',
    { limits: { cpu: '-1' } },
    ['spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'],
  ],
  [
    'an unknown resource name is rejected',
    { limits: { foo: '1' } },
    [
      'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource for containers',
    ],
  ],
  ['huge pages in whole pages with memory are fine', { limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' }, requests: { 'hugepages-2Mi': '4Mi' } }, []],
  [
    'huge pages must be whole pages',
    { limits: { 'hugepages-2Mi': '3Mi', cpu: '1' } },
    ['spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi'],
  ],
  ['huge pages need cpu or memory', { limits: { 'hugepages-2Mi': '2Mi' } }, ['spec.containers[0].resources: Forbidden: HugePages require cpu or memory']],
  [
    'an unparsable quantity is reported once',
    { limits: { cpu: 'lots' } },
    ["spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ],
  [
    'claims need a name and may not repeat',
    { claims: [{ name: 'gpu' }, { name: '' }, { name: 'gpu' }] },
    ['spec.containers[0].resources.claims[1]: Required value', 'spec.containers[0].resources.claims[2]: Duplicate value: "gpu"'],
  ],
];
for (const [name, req, want] of reqCases) {
  test(`resource requirements: ${name}`, () => {
    assert.deepEqual(validateResourceRequirements(req, rp).map(errorString), want);
  });
}

test('resource requirements: indivisible huge pages can be allowed for old objects', () => {
  assert.deepEqual(validateResourceRequirements({ limits: { 'hugepages-2Mi': '3Mi', cpu: '1' } }, rp, { allowIndivisibleHugePagesValues: true }), []);
});

test('resource requirements: claims must name a pod resource claim when those are given', () => {
  const errs = validateResourceRequirements({ claims: [{ name: 'x' }] }, rp, { podClaimNames: new Set(['b', 'a']) });
  assert.deepEqual(errs.map(errorString), ['spec.containers[0].resources.claims[0]: Not found: "x": must be one of the names in pod.spec.resourceClaims: a, b']);
  const none = validateResourceRequirements({ claims: [{ name: 'x' }] }, rp, { podClaimNames: new Set() });
  assert.equal(none[0]!.detail, 'must be one of the names in pod.spec.resourceClaims which is empty');
});

test('a resource list checks every name and amount at its key', () => {
  const lp = FieldPath.root('spec').child('hard');
  assert.deepEqual(
    validateResourceList({ pods: '10', 'requests.cpu': '-1', foo: '1' }, lp).map(errorString),
    [
      'spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
    ],
  );
});
