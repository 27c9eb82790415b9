import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateNodeSelector,
  validateTaintEffect,
  validateTolerations,
  validateTopologySelectorTerm,
  type NodeSelector,
  type Toleration,
} from '../../../../pkg/api/core/v1/common.js';
import { FieldPath, errorString } from '../../../../pkg/api/validation/field.js';

const path = FieldPath.root('spec').child('tolerations');

const tolerationCases: { name: string; tolerations: Toleration[]; want: string[] }[] = [
  {
    name: 'an empty key with operator Exists tolerates everything',
    tolerations: [{ operator: 'Exists' }],
    want: [],
  },
  {
    name: 'an empty key needs operator Exists',
    tolerations: [{ operator: 'Equal', value: 'x' }],
    want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
  },
  {
    name: 'tolerationSeconds needs effect NoExecute',
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }],
    want: ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"],
  },
  {
    name: 'operator Exists refuses a value',
    tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }],
    want: ["spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"],
  },
  {
    name: 'an unknown operator is not supported',
    tolerations: [{ key: 'k', operator: 'Gt' }],
    want: ['spec.tolerations[0].operator: Unsupported value: "Gt": supported values: "Equal", "Exists"'],
  },
  {
    name: 'an unknown effect is not supported',
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'Evict' }],
    want: ['spec.tolerations[0].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  },
];

for (const tc of tolerationCases) {
  test(`tolerations: ${tc.name}`, () => {
    assert.deepEqual(validateTolerations(tc.tolerations, path).map(errorString), tc.want);
  });
}

const nsPath = FieldPath.root('spec').child('affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution');

const nodeSelectorCases: { name: string; sel: NodeSelector; want: string[] }[] = [
  {
    name: 'a node selector needs at least one term',
    sel: { nodeSelectorTerms: [] },
    want: [`${nsPath}.nodeSelectorTerms: Required value: must have at least one node selector term`],
  },
  {
    name: 'In needs values',
    sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] },
    want: [`${nsPath}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`],
  },
  {
    name: 'Gt needs exactly one value',
    sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }] }] },
    want: [`${nsPath}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`],
  },
  {
    name: 'an unknown operator is invalid',
    sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Near' }] }] },
    want: [`${nsPath}.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator`],
  },
  {
    name: 'matchFields only knows metadata.name',
    sel: { nodeSelectorTerms: [{ matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['x'] }] }] },
    want: [`${nsPath}.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "spec.unschedulable": not a valid field selector key`],
  },
  {
    name: 'a valid term passes',
    sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] },
    want: [],
  },
];

for (const tc of nodeSelectorCases) {
  test(`node selectors: ${tc.name}`, () => {
    assert.deepEqual(validateNodeSelector(tc.sel, false, nsPath).map(errorString), tc.want);
  });
}

test('a taint effect other than the three known ones is not supported', () => {
  assert.deepEqual(validateTaintEffect('NoAdmit', false, FieldPath.root('spec').child('taints').index(0).child('effect')).map(errorString), [
    'spec.taints[0].effect: Unsupported value: "NoAdmit": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
});

test('a topology term may not repeat a key or a value', () => {
  const errs = validateTopologySelectorTerm(
    {
      matchLabelExpressions: [
        { key: 'zone', values: ['a', 'a'] },
        { key: 'zone', values: ['b'] },
      ],
    },
    FieldPath.root('allowedTopologies').index(0),
  ).map(errorString);
  assert.deepEqual(errs, [
    'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"',
    'allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: "zone"',
  ]);
});
