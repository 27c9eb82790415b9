import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventResource, type Event } from '../../../../pkg/api/core/v1/index.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = eventResource;
const now = new Date('2024-05-01T12:00:00Z');

function ev(fields: Partial<Event> = {}): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.17c', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2024-05-01T11:50:00Z',
    lastTimestamp: '2024-05-01T11:58:00Z',
    count: 3,
    type: 'Normal',
    ...fields,
  };
}

const errors = (obj: Event): string[] => def.validate!(obj).map(errorString);

const cases: { name: string; obj: () => Event; want: string[] }[] = [
  { name: 'a classic event about an object in its namespace is valid', obj: () => ev(), want: [] },
  {
    name: 'a classic event must live in the namespace of its object',
    obj: () => ev({ involvedObject: { kind: 'Pod', namespace: 'other', name: 'x' } }),
    want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  },
  { name: 'an event about a cluster-scoped object may live in default', obj: () => ev({ involvedObject: { kind: 'Node', name: 'node-1' } }), want: [] },
  {
    name: 'a new-style event needs the reporting controller, instance, action and reason',
    obj: () => ev({ eventTime: '2024-05-01T11:00:00.000001Z', reason: '', source: {} }),
    want: ['reportingController: Required value', 'reportingController: Invalid value: "": name part must be non-empty', 'reportingController: Invalid value: "": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')', 'reportingInstance: Required value', 'action: Required value', 'reason: Required value'],
  },
  {
    name: 'a new-style event limits the length of its reason and message',
    obj: () => ev({ eventTime: '2024-05-01T11:00:00.000001Z', reportingComponent: 'kubelet', reportingInstance: 'node-1', action: 'Pull', reason: 'x'.repeat(129), message: 'm'.repeat(1025) }),
    want: ['reason: Invalid value: "": can have at most 128 characters', 'message: Invalid value: "": can have at most 1024 characters'],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('the table shows last seen, type, reason, object and the trimmed message, then the wide columns', () => {
  assert.deepEqual(def.table!.cells(ev(), now), [
    '2m',
    'Normal',
    'Pulled',
    'pod/web-1',
    'spec.containers{app}',
    'kubelet, node-1',
    'Successfully pulled image "nginx"',
    '10m',
    3,
    'web-1.17c',
  ]);
});

test('a new-style singleton event uses eventTime, counts once and names its reporting controller', () => {
  const e = ev({ firstTimestamp: undefined, lastTimestamp: undefined, count: undefined, source: undefined, eventTime: '2024-05-01T11:59:30.000000Z', reportingComponent: 'default-scheduler', reportingInstance: '' });
  const cells = def.table!.cells(e, now);
  assert.deepEqual([cells[0], cells[5], cells[7], cells[8]], ['30s', 'default-scheduler', '30s', 1]);
});

test('a series shows its last observation and count', () => {
  const cells = def.table!.cells(ev({ series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' } }), now);
  assert.deepEqual([cells[0], cells[8]], ['10s', 7]);
});

test('events can be selected by involved object, reason, source and type', () => {
  const s = def.fieldSelectors!;
  const e = ev({ involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1' } });
  assert.deepEqual(
    ['involvedObject.kind', 'involvedObject.name', 'involvedObject.uid', 'reason', 'source', 'type'].map((k) => s[k]!(e)),
    ['Pod', 'web-1', 'u-1', 'Pulled', 'kubelet', 'Normal'],
  );
  assert.equal(s['source']!(ev({ source: {}, reportingComponent: 'kubelet' })), 'kubelet');
});
