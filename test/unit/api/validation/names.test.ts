import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPath, errorString } from '../../../../pkg/api/validation/field.js';
import {
  isCIdentifier,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isFullyQualifiedName,
  isHTTPHeaderName,
  isPercent,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidCIDR,
  isValidIP,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateLabels,
  validateNonnegativeField,
} from '../../../../pkg/api/validation/names.js';

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const qnameRegex = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Check = (s: string) => string[];
const cases: [string, Check, string, string[]][] = [
  // DNS-1123 subdomains
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'a', []],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'example.com', []],
  ['isDNS1123Subdomain', isDNS1123Subdomain, '1-a.b-2', []],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'a'.repeat(253), []],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'Web_1', [subdomainMsg]],
  ['isDNS1123Subdomain', isDNS1123Subdomain, '', [subdomainMsg]],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'a..b', [subdomainMsg]],
  ['isDNS1123Subdomain', isDNS1123Subdomain, '-a', [subdomainMsg]],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
  ['isDNS1123Subdomain', isDNS1123Subdomain, 'A'.repeat(254), ['must be no more than 253 characters', subdomainMsg]],
  // DNS-1123 labels
  ['isDNS1123Label', isDNS1123Label, 'my-name', []],
  ['isDNS1123Label', isDNS1123Label, '123-abc', []],
  ['isDNS1123Label', isDNS1123Label, 'a'.repeat(63), []],
  ['isDNS1123Label', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  ['isDNS1123Label', isDNS1123Label, 'a.b', ['must not contain dots']],
  ['isDNS1123Label', isDNS1123Label, 'My-Name', [labelMsg]],
  ['isDNS1123Label', isDNS1123Label, 'a-', [labelMsg]],
  ['isDNS1123Label', isDNS1123Label, '', [labelMsg]],
  // DNS-1035 labels
  ['isDNS1035Label', isDNS1035Label, 'my-name', []],
  ['isDNS1035Label', isDNS1035Label, 'abc-123', []],
  ['isDNS1035Label', isDNS1035Label, '1abc', [dns1035Msg]],
  ['isDNS1035Label', isDNS1035Label, 'a.b', [dns1035Msg]],
  ['isDNS1035Label', isDNS1035Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  // wildcard subdomains
  ['isWildcardDNS1123Subdomain', isWildcardDNS1123Subdomain, '*.example.com', []],
  [
    'isWildcardDNS1123Subdomain',
    isWildcardDNS1123Subdomain,
    'example.com',
    [
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  ],
  // qualified names
  ['isQualifiedName', isQualifiedName, 'app', []],
  ['isQualifiedName', isQualifiedName, 'MyName', []],
  ['isQualifiedName', isQualifiedName, 'my.name', []],
  ['isQualifiedName', isQualifiedName, '123-abc', []],
  ['isQualifiedName', isQualifiedName, 'app.kubernetes.io/name', []],
  ['isQualifiedName', isQualifiedName, 'a_b', []],
  ['isQualifiedName', isQualifiedName, 'a'.repeat(63), []],
  ['isQualifiedName', isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 characters']],
  ['isQualifiedName', isQualifiedName, '', ['name part must be non-empty', 'name part ' + qnameRegex]],
  ['isQualifiedName', isQualifiedName, '-a', ['name part ' + qnameRegex]],
  ['isQualifiedName', isQualifiedName, 'a/', ['name part must be non-empty', 'name part ' + qnameRegex]],
  ['isQualifiedName', isQualifiedName, '/a', ['prefix part must be non-empty']],
  ['isQualifiedName', isQualifiedName, 'Example.com/a', ['prefix part ' + subdomainMsg]],
  [
    'isQualifiedName',
    isQualifiedName,
    'a/b/c',
    [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  ],
  // label values
  ['isValidLabelValue', isValidLabelValue, '', []],
  ['isValidLabelValue', isValidLabelValue, 'MyValue', []],
  ['isValidLabelValue', isValidLabelValue, 'my_value', []],
  ['isValidLabelValue', isValidLabelValue, '12345', []],
  ['isValidLabelValue', isValidLabelValue, 'a b', [labelValueMsg]],
  ['isValidLabelValue', isValidLabelValue, '-a', [labelValueMsg]],
  ['isValidLabelValue', isValidLabelValue, 'a/b', [labelValueMsg]],
  ['isValidLabelValue', isValidLabelValue, 'a'.repeat(64), ['must be no more than 63 characters']],
  // C identifiers, env vars, config keys, percents, headers
  ['isCIdentifier', isCIdentifier, 'my_name', []],
  [
    'isCIdentifier',
    isCIdentifier,
    '1a',
    [
      "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
    ],
  ],
  ['isEnvVarName', isEnvVarName, 'MY_ENV.NAME', []],
  ['isEnvVarName', isEnvVarName, 'my.env-name', []],
  [
    'isEnvVarName',
    isEnvVarName,
    '1A',
    [
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ],
  ],
  ['isEnvVarName', isEnvVarName, '..a', ["must not start with '..'"]],
  ['isEnvVarName', isEnvVarName, '.', ["must not be '.'"]],
  ['isRelaxedEnvVarName', isRelaxedEnvVarName, '1 A:b', []],
  ['isRelaxedEnvVarName', isRelaxedEnvVarName, 'A=B', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
  ['isRelaxedEnvVarName', isRelaxedEnvVarName, '', ['environment variable name must be non-empty']],
  ['isConfigMapKey', isConfigMapKey, 'key.name', []],
  ['isConfigMapKey', isConfigMapKey, '..', ["must not be '..'"]],
  [
    'isConfigMapKey',
    isConfigMapKey,
    'a/b',
    ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
  ],
  ['isPercent', isPercent, '93%', []],
  [
    'isPercent',
    isPercent,
    '1.5%',
    ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
  ],
  ['isHTTPHeaderName', isHTTPHeaderName, 'X-Header-Name', []],
  [
    'isHTTPHeaderName',
    isHTTPHeaderName,
    'X_H',
    ["a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"],
  ],
  // port names
  ['isValidPortName', isValidPortName, 'http', []],
  ['isValidPortName', isValidPortName, 'h-80', []],
  ['isValidPortName', isValidPortName, '80', ['must contain at least one letter (a-z)']],
  ['isValidPortName', isValidPortName, 'a--b', ['must not contain consecutive hyphens']],
  ['isValidPortName', isValidPortName, '-a', ['must not begin or end with a hyphen']],
  ['isValidPortName', isValidPortName, 'a'.repeat(16), ['must be no more than 15 characters']],
  ['isValidPortName', isValidPortName, 'HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  // addresses
  ['isValidIP', isValidIP, '10.9.8.7', []],
  ['isValidIP', isValidIP, '010.009.008.007', []],
  ['isValidIP', isValidIP, '2001:db8::ffff', []],
  ['isValidIP', isValidIP, '::', []],
  ['isValidIP', isValidIP, '::ffff:1.2.3.4', []],
  ['isValidIP', isValidIP, '1:2:3:4:5:6:7:8', []],
  ['isValidIP', isValidIP, '1.2.3', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIP', isValidIP, '256.1.1.1', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIP', isValidIP, '1::2::3', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIP', isValidIP, '1:2:3:4:5:6:7:8:9', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIP', isValidIP, 'fe80::1%eth0', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIP', isValidIP, '', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['isValidIPv4Address', isValidIPv4Address, '1.2.3.4', []],
  ['isValidIPv4Address', isValidIPv4Address, '::ffff:1.2.3.4', []],
  ['isValidIPv4Address', isValidIPv4Address, '::1', ['must be a valid IPv4 address']],
  ['isValidIPv6Address', isValidIPv6Address, '::1', []],
  ['isValidIPv6Address', isValidIPv6Address, '1.2.3.4', ['must be a valid IPv6 address']],
  ['isValidCIDR', isValidCIDR, '10.9.8.0/24', []],
  ['isValidCIDR', isValidCIDR, '2001:db8::/64', []],
  ['isValidCIDR', isValidCIDR, '10.0.0.0/33', ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ['isValidCIDR', isValidCIDR, '10.0.0.0', ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ['isValidCIDR', isValidCIDR, '10.0.0.0/', ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  // path segments
  ['isValidPathSegmentName', isValidPathSegmentName, 'Any_Thing:1', []],
  ['isValidPathSegmentName', isValidPathSegmentName, '..', ["may not be '..'"]],
  ['isValidPathSegmentName', isValidPathSegmentName, 'a/b%c', ["may not contain '/'", "may not contain '%'"]],
];
for (const [name, fn, input, want] of cases) {
  test(`${name}(${JSON.stringify(input.length > 40 ? input.slice(0, 20) + '…' : input)}) ${want.length === 0 ? 'accepts it' : 'reports ' + want.length + ' problem(s)'}`, () => {
    assert.deepEqual(fn(input), want);
  });
}

const portNumCases: [number, boolean][] = [
  [1, true],
  [80, true],
  [65535, true],
  [0, false],
  [65536, false],
  [-1, false],
  [1.5, false],
];
for (const [n, ok] of portNumCases) {
  test(`port number ${n} is ${ok ? 'valid' : 'invalid'}`, () => {
    assert.deepEqual(isValidPortNum(n), ok ? [] : ['must be between 1 and 65535, inclusive']);
  });
}

const root = FieldPath.root('metadata');

test('isFullyQualifiedName needs a subdomain with three segments', () => {
  const p = FieldPath.root('spec').child('group');
  assert.deepEqual(isFullyQualifiedName(p, 'example.com.io'), []);
  assert.equal(errorString(isFullyQualifiedName(p, 'example.com')[0]!), 'spec.group: Invalid value: "example.com": should be a domain with at least three segments separated by dots');
  assert.equal(errorString(isFullyQualifiedName(p, '')[0]!), 'spec.group: Required value');
});

test('a bad name is reported with the kube-apiserver wording', () => {
  const errs = validateDNS1123Subdomain('Web_1', root.child('name'));
  assert.equal(errs.length, 1);
  assert.equal(errorString(errs[0]!), `metadata.name: Invalid value: "Web_1": ${subdomainMsg}`);
  assert.deepEqual(validateDNS1123Label('ok', root.child('name')), []);
});

const labelCases: [string, Record<string, string> | undefined, string[]][] = [
  ['no labels are fine', undefined, []],
  ['valid keys and values are fine', { app: 'web', 'app.kubernetes.io/name': 'x', empty: '' }, []],
  ['a bad key is reported with the key as the value', { 'a b': 'x' }, [`metadata.labels: Invalid value: "a b": name part ${qnameRegex}`]],
  ['a bad value is reported with the value', { app: 'a b' }, [`metadata.labels: Invalid value: "a b": ${labelValueMsg}`]],
  ['a long value is reported', { app: 'x'.repeat(64) }, [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`]],
];
for (const [name, labels, want] of labelCases) {
  test(`labels: ${name}`, () => {
    assert.deepEqual(validateLabels(labels, root.child('labels')).map(errorString), want);
  });
}

test('annotation keys are qualified names, compared in lower case', () => {
  const p = root.child('annotations');
  assert.deepEqual(validateAnnotations({ 'Example.com/Some-Key': 'v', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, p), []);
  assert.equal(validateAnnotations({ 'a b': 'v' }, p).length, 1);
  assert.equal(errorString(validateAnnotations({ 'a b': 'v' }, p)[0]!), `metadata.annotations: Invalid value: "a b": name part ${qnameRegex}`);
});

test('annotations may hold at most 256 KiB of keys and values together', () => {
  const p = root.child('annotations');
  assert.deepEqual(validateAnnotations({ a: 'x'.repeat(262143) }, p), []);
  const errs = validateAnnotations({ a: 'x'.repeat(262144) }, p);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.type, 'FieldValueTooLong');
  assert.equal(errs[0]!.field, 'metadata.annotations');
  assert.match(errs[0]!.detail, /262144 bytes/);
});

test('a negative number is reported as must be greater than or equal to 0', () => {
  assert.deepEqual(validateNonnegativeField(0, root.child('generation')), []);
  assert.deepEqual(validateNonnegativeField(undefined, root.child('generation')), []);
  assert.equal(errorString(validateNonnegativeField(-1, root.child('generation'))[0]!), 'metadata.generation: Invalid value: -1: must be greater than or equal to 0');
});

const selPath = FieldPath.root('spec').child('selector');
const selectorCases: [string, Parameters<typeof validateLabelSelector>[0], boolean, string[]][] = [
  ['a missing selector is fine', undefined, false, []],
  ['a valid selector is fine', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] }, false, []],
  [
    'In needs values',
    { matchExpressions: [{ key: 'a', operator: 'In' }] },
    false,
    ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
  ],
  [
    'NotIn needs values',
    { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] },
    false,
    ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
  ],
  [
    'Exists must not have values',
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    false,
    ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
  ],
  [
    'an unknown operator is invalid',
    { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
    false,
    ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'],
  ],
  [
    'a bad key and value are reported at their paths',
    { matchLabels: { 'b c': 'd' }, matchExpressions: [{ key: '-a', operator: 'In', values: ['ok', 'b c'] }] },
    false,
    [
      `spec.selector.matchLabels: Invalid value: "b c": name part ${qnameRegex}`,
      `spec.selector.matchExpressions[0].key: Invalid value: "-a": name part ${qnameRegex}`,
      `spec.selector.matchExpressions[0].values[1]: Invalid value: "b c": ${labelValueMsg}`,
    ],
  ],
  ['invalid expression values can be allowed for old objects', { matchExpressions: [{ key: 'a', operator: 'In', values: ['b c'] }] }, true, []],
];
for (const [name, sel, allow, want] of selectorCases) {
  test(`label selector: ${name}`, () => {
    assert.deepEqual(validateLabelSelector(sel, selPath, { allowInvalidLabelValueInSelector: allow }).map(errorString), want);
  });
}
