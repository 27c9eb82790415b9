import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podResource, validatePodBinding, validatePodStatusUpdate, type Pod } from '../../../../pkg/api/core/v1/pod.js';
import { errorString } from '../../../../pkg/api/validation/field.js';
import { defaulted, errors, pod } from './pod-helpers.js';

const FORBIDDEN_PREFIX =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';

function updated(change: (p: Pod) => void, base: Pod = pod()): [Pod, Pod] {
  const old = defaulted(structuredClone(base));
  podResource.prepareForCreate!(old);
  const next = structuredClone(old);
  change(next);
  return [next, old];
}

test('changing a container image is allowed', () => {
  const [next, old] = updated((p) => (p.spec!.containers![0]!.image = 'nginx:1.26'));
  assert.deepEqual(errors(next, old), []);
});

test('adding a toleration is allowed', () => {
  const [next, old] = updated((p) => p.spec!.tolerations!.push({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }));
  assert.deepEqual(errors(next, old), []);
});

test('changing an existing toleration is forbidden', () => {
  const [next, old] = updated((p) => (p.spec!.tolerations![0]!.effect = 'NoSchedule'));
  assert.ok(errors(next, old).includes('spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'));
});

test('changing restartPolicy is forbidden with the list of mutable fields', () => {
  const [next, old] = updated((p) => (p.spec!.restartPolicy = 'Never'));
  const errs = errors(next, old);
  assert.equal(errs.length, 1);
  assert.ok(errs[0]!.startsWith(FORBIDDEN_PREFIX), errs[0]);
  assert.match(errs[0]!, /spec\.restartPolicy/);
});

test('adding a container is forbidden', () => {
  const [next, old] = updated((p) => p.spec!.containers!.push({ name: 'b', image: 'x' }));
  assert.deepEqual(errors(next, old), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('activeDeadlineSeconds may only shrink', () => {
  const [next, old] = updated((p) => (p.spec!.activeDeadlineSeconds = 60), pod({ activeDeadlineSeconds: 30 }));
  assert.deepEqual(errors(next, old), ['spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value']);
  const [shorter, old2] = updated((p) => (p.spec!.activeDeadlineSeconds = 10), pod({ activeDeadlineSeconds: 30 }));
  assert.deepEqual(errors(shorter, old2), []);
});

test('activeDeadlineSeconds may not be removed once set', () => {
  const [next, old] = updated((p) => delete p.spec!.activeDeadlineSeconds, pod({ activeDeadlineSeconds: 30 }));
  assert.deepEqual(errors(next, old), ['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value']);
});

test('scheduling gates may be removed but not added', () => {
  const [removed, old] = updated((p) => (p.spec!.schedulingGates = []), pod({ schedulingGates: [{ name: 'example.com/a' }] }));
  assert.deepEqual(errors(removed, old), []);
  const [added, old2] = updated((p) => (p.spec!.schedulingGates = [{ name: 'example.com/b' }]));
  assert.deepEqual(errors(added, old2), ["spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/b'"]);
});

test('a gated pod may gain node selector labels', () => {
  const [next, old] = updated((p) => (p.spec!.nodeSelector = { zone: 'a' }), pod({ schedulingGates: [{ name: 'example.com/a' }] }));
  assert.deepEqual(errors(next, old), []);
});

test('a status update may not change the QoS class or the node', () => {
  const old = defaulted(pod({}, { status: { phase: 'Pending', qosClass: 'BestEffort' } }));
  const next = structuredClone(old);
  next.status!.qosClass = 'Guaranteed';
  next.spec!.nodeName = 'n1';
  assert.deepEqual(validatePodStatusUpdate(next, old).map(errorString), [
    'status.nodeName: Forbidden: may not be changed directly',
    'status.qosClass: Invalid value: "Guaranteed": field is immutable',
  ]);
});

test('a terminated container of a Never pod may not run again', () => {
  const term = { name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0 } } };
  const old = defaulted(pod({ restartPolicy: 'Never' }, { status: { phase: 'Running', containerStatuses: [term] } }));
  const next = structuredClone(old);
  next.status!.containerStatuses![0]!.state = { running: {} };
  assert.deepEqual(validatePodStatusUpdate(next, old).map(errorString), [
    'status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state',
  ]);
});

test('a binding must target a named node', () => {
  assert.deepEqual(validatePodBinding({ target: { kind: 'Pod', name: '' } }).map(errorString), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    'target.name: Required value',
  ]);
  assert.deepEqual(validatePodBinding({ target: { name: 'node-1' } }), []);
});
