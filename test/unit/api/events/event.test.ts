import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventResource, resources, type Event } from '../../../../pkg/api/events/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');

function event(fields: Partial<Event> = {}): Event {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-0.17c8e2a1b4f5', namespace: 'default' },
    eventTime: '2024-05-01T11:55:00.123456Z',
    reportingController: 'kubernetes.io/kubelet',
    reportingInstance: 'kubelet-node-1',
    action: 'Pulling',
    reason: 'Pulling',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-0', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
    note: 'Pulling image "nginx"',
    type: 'Normal',
    ...fields,
  };
}

function errors(obj: Event, old?: Event): string[] {
  const kind = old ? eventResource.validateUpdate!(obj, old) : eventResource.validate!(obj);
  return [...validateSchema(obj, asNode(eventResource.schema)), ...kind].map(errorString);
}

const cases: { name: string; obj: Event; want: string[] }[] = [
  { name: 'an event with every required field is valid', obj: event(), want: [] },
  {
    name: 'a missing event time is required and the event falls back to the old namespace rule',
    obj: event({ eventTime: undefined }),
    want: ['eventTime: Required value'],
  },
  {
    name: 'the reporting fields, action and reason are required',
    obj: event({ reportingController: undefined, reportingInstance: '', action: '', reason: undefined }),
    want: [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ],
  },
  {
    name: 'a note longer than 1024 bytes is reported on the core field name',
    obj: event({ note: 'x'.repeat(1025) }),
    want: ['message: Invalid value: "": can have at most 1024 characters'],
  },
  {
    name: 'an action longer than 128 characters is rejected',
    obj: event({ action: 'a'.repeat(129) }),
    want: ['action: Invalid value: "": can have at most 128 characters'],
  },
  {
    name: 'a type other than Normal or Warning is rejected',
    obj: event({ type: 'Error' }),
    want: ['type: Invalid value: "": has invalid value: Error'],
  },
  {
    name: 'a cluster-scoped object may only be regarded from default or kube-system',
    obj: event({ metadata: { name: 'n.1', namespace: 'team-a' }, regarding: { kind: 'Node', name: 'node-1' } }),
    want: ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
  },
  {
    name: 'a series must count at least two occurrences',
    obj: event({ series: { count: 1, lastObservedTime: '2024-05-01T11:59:00.000000Z' } }),
    want: ['series.count: Invalid value: "": should be at least 2'],
  },
  {
    name: 'the deprecated core fields must be unset',
    obj: event({
      deprecatedFirstTimestamp: '2024-05-01T11:00:00Z',
      deprecatedLastTimestamp: '2024-05-01T11:00:00Z',
      deprecatedCount: 3,
      deprecatedSource: { component: 'kubelet' },
    }),
    want: [
      'firstTimestamp: Invalid value: "": needs to be unset',
      'lastTimestamp: Invalid value: "": needs to be unset',
      'count: Invalid value: "": needs to be unset',
      'source: Invalid value: "": needs to be unset',
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('an update may extend the series but not change what happened', () => {
  const old = event();
  const next = event({ series: { count: 2, lastObservedTime: '2024-05-01T11:59:00.000000Z' } });
  assert.deepEqual(errors(next, old), []);
  assert.deepEqual(errors(event({ note: 'changed', reason: 'Pulled' }), old), [
    'reason: Invalid value: "Pulled": field is immutable',
    'message: Invalid value: "changed": field is immutable',
  ]);
});

test('the table shows the event from its core/v1 view', () => {
  assert.deepEqual(eventResource.table!.cells(event(), now), [
    '4m59s',
    'Normal',
    'Pulling',
    'pod/web-0',
    'spec.containers{web}',
    'kubernetes.io/kubelet, kubelet-node-1',
    'Pulling image "nginx"',
    '4m59s',
    1,
    'web-0.17c8e2a1b4f5',
  ]);
});

test('a series shows its last observation and count', () => {
  const e = event({ series: { count: 7, lastObservedTime: '2024-05-01T11:59:30.000000Z' }, regarding: { kind: 'Node' } });
  const cells = eventResource.table!.cells(e, now);
  assert.deepEqual([cells[0], cells[3], cells[8]], ['30s', 'node', 7]);
});

test('the default columns are last seen, type, reason, object and message', () => {
  const cols = eventResource.table!.columns;
  assert.deepEqual(
    cols.filter((c) => c.priority === 0).map((c) => c.name),
    ['Last Seen', 'Type', 'Reason', 'Object', 'Message'],
  );
  assert.equal(cols.length, 10);
});

test('field selectors use the events.k8s.io names', () => {
  const sel = eventResource.fieldSelectors!;
  const e = event();
  assert.equal(sel['regarding.name']!(e), 'web-0');
  assert.equal(sel['regarding.kind']!(e), 'Pod');
  assert.equal(sel['reportingController']!(e), 'kubernetes.io/kubelet');
  assert.equal(sel['type']!(e), 'Normal');
});

test('the events resource lives in the events.k8s.io group with the ev short name', () => {
  assert.deepEqual(
    resources.map((r) => [r.group, r.plural, r.shortNames]),
    [['events.k8s.io', 'events', ['ev']]],
  );
});
