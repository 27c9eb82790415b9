// events.k8s.io/v1 Event: a report of something that happened to an object. The same stored events
// as core/v1 Event, in the newer shape (regarding, note, reportingController, series).
import { ObjectReferenceSchema } from '../../core/v1/common.js';
import {
  EventSourceSchema,
  eventLengthLimits,
  eventResourceNames,
  eventTableCells,
  eventTableColumns,
  referenceFieldSelectors,
  type Event as CoreEvent,
} from '../../core/v1/event.js';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import type { ResourceDef } from '../../registry.js';
import { int32, microTime, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, required, type FieldError } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.events.v1.';

export const EventSeriesSchema = struct(
  P + 'EventSeries',
  'A series of occurrences of the same event, reported at a bounded rate.',
  {
    count: int32('Number of occurrences in the series up to lastObservedTime.'),
    lastObservedTime: microTime('When the last occurrence was observed.'),
  },
  { required: ['lastObservedTime'] },
);
export type EventSeries = Static<typeof EventSeriesSchema>;

export const EventSchema = resourceSchema(
  P + 'Event',
  'Something that happened in the cluster: a state change, an error, a decision of a component. Kept for a limited time.',
  {
    eventTime: microTime('When the event was first observed. Required.'),
    series: withDescription(EventSeriesSchema, 'Data about a series of this event, when it keeps happening.'),
    reportingController: string('Name of the controller that emitted the event, e.g. "kubernetes.io/kubelet". Required for new events.'),
    reportingInstance: string('ID of the controller instance that emitted the event, e.g. "kubelet-xyzf". Required for new events.'),
    action: string('What the reporting controller did or failed to do about the regarding object. At most 128 characters.'),
    reason: string('Why the action was taken, in UpperCamelCase. At most 128 characters.'),
    regarding: withDescription(ObjectReferenceSchema, 'The object this event is about.'),
    related: withDescription(ObjectReferenceSchema, 'A second object involved in the action, if any.'),
    note: string('Human-readable description of the event; at most 1 kB.'),
    type: string('Type of the event: Normal or Warning.'),
    deprecatedSource: withDescription(EventSourceSchema, 'core/v1 source of the event; must be unset for new events.'),
    deprecatedFirstTimestamp: time('core/v1 first timestamp; must be unset for new events.'),
    deprecatedLastTimestamp: time('core/v1 last timestamp; must be unset for new events.'),
    deprecatedCount: int32('core/v1 count; must be unset for new events.'),
  },
  ['eventTime'],
);
export type Event = Static<typeof EventSchema>;

export const EventListSchema = listSchema(P + 'EventList', EventSchema);

// Field paths below are those of core/v1 Event (involvedObject, message, source, ...): the
// apiserver validates both shapes as the same internal object.
const root = (name: string): FieldPath => FieldPath.root(name);

/** The checks every event passes, whichever API wrote it. */
function validateLegacy(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const regardingNs = ev.regarding?.namespace ?? '';
  const nsPath = root('involvedObject').child('namespace');
  if (!ev.eventTime) {
    // Old-style events: the event lives in the namespace of the object (or default).
    const ok = regardingNs === '' ? ns === '' || ns === 'default' : ns === regardingNs;
    if (!ok) errs.push(invalid(nsPath, regardingNs, 'does not match event.namespace'));
    return errs;
  }
  if (regardingNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(invalid(nsPath, regardingNs, 'does not match event.namespace'));
  const controller = ev.reportingController ?? '';
  if (controller.length === 0) errs.push(required(root('reportingController'), ''));
  for (const m of isQualifiedName(controller)) errs.push(invalid(root('reportingController'), controller, m));
  const limited: [string, string | undefined, number, boolean][] = [
    ['reportingInstance', ev.reportingInstance, eventLengthLimits.reportingInstance, true],
    ['action', ev.action, eventLengthLimits.action, true],
    ['reason', ev.reason, eventLengthLimits.reason, true],
    ['message', ev.note, eventLengthLimits.message, false],
  ];
  for (const [field, value, limit, isRequired] of limited) {
    const v = value ?? '';
    if (isRequired && v.length === 0) errs.push(required(root(field), ''));
    if (Buffer.byteLength(v) > limit) errs.push(invalid(root(field), '', `can have at most ${limit} characters`));
  }
  return errs;
}

function validateSeries(ev: Event): FieldError[] {
  // A missing lastObservedTime is a "Required value" from the schema.
  if (ev.series && (ev.series.count ?? 0) < 2) return [invalid(root('series').child('count'), '', 'should be at least 2')];
  return [];
}

/** Creation through events.k8s.io/v1 is strict: new-style fields set, core/v1-only fields unset. */
export function validateEvent(ev: Event): FieldError[] {
  const errs = validateLegacy(ev);
  errs.push(...validateSeries(ev));
  // A missing eventTime is a "Required value" from the schema.
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid(root('type'), '', `has invalid value: ${ev.type ?? ''}`));
  const unset = (path: string): FieldError => invalid(root(path), '', 'needs to be unset');
  if (ev.deprecatedFirstTimestamp) errs.push(unset('firstTimestamp'));
  if (ev.deprecatedLastTimestamp) errs.push(unset('lastTimestamp'));
  if ((ev.deprecatedCount ?? 0) !== 0) errs.push(unset('count'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) errs.push(unset('source'));
  return errs;
}

/** Everything but the series and the metadata is fixed once an event exists. */
export function validateEventUpdate(ev: Event, old: Event): FieldError[] {
  const errs = validateLegacy(ev);
  if (!semanticDeepEqual(ev.series, old.series)) errs.push(...validateSeries(ev));
  const fixed: [string, unknown, unknown][] = [
    ['involvedObject', ev.regarding ?? {}, old.regarding ?? {}],
    ['reason', ev.reason ?? '', old.reason ?? ''],
    ['message', ev.note ?? '', old.note ?? ''],
    ['source', ev.deprecatedSource ?? {}, old.deprecatedSource ?? {}],
    ['firstTimestamp', ev.deprecatedFirstTimestamp ?? '', old.deprecatedFirstTimestamp ?? ''],
    ['lastTimestamp', ev.deprecatedLastTimestamp ?? '', old.deprecatedLastTimestamp ?? ''],
    ['count', ev.deprecatedCount ?? 0, old.deprecatedCount ?? 0],
    ['type', ev.type ?? '', old.type ?? ''],
    ['eventTime', ev.eventTime ?? '', old.eventTime ?? ''],
    ['action', ev.action ?? '', old.action ?? ''],
    ['related', ev.related ?? null, old.related ?? null],
    ['reportingController', ev.reportingController ?? '', old.reportingController ?? ''],
    ['reportingInstance', ev.reportingInstance ?? '', old.reportingInstance ?? ''],
  ];
  for (const [field, now, before] of fixed) {
    if (!semanticDeepEqual(now, before)) errs.push(invalid(root(field), now, 'field is immutable'));
  }
  return errs;
}

/** The core/v1 form of an event: how it is stored, and what the table is computed on (as upstream prints the internal object). */
export function toCoreEvent(ev: Event): CoreEvent {
  return dropUndefined({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: ev.metadata,
    involvedObject: ev.regarding,
    reason: ev.reason,
    message: ev.note,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    type: ev.type,
    eventTime: ev.eventTime,
    series: ev.series,
    action: ev.action,
    related: ev.related,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
  });
}

/** The events.k8s.io/v1 form of a stored core/v1 event. */
export function fromCoreEvent(ev: CoreEvent): Event {
  return dropUndefined({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: ev.metadata,
    regarding: ev.involvedObject,
    reason: ev.reason,
    note: ev.message,
    deprecatedSource: ev.source,
    deprecatedFirstTimestamp: ev.firstTimestamp,
    deprecatedLastTimestamp: ev.lastTimestamp,
    deprecatedCount: ev.count,
    type: ev.type,
    eventTime: ev.eventTime,
    series: ev.series,
    action: ev.action,
    related: ev.related,
    reportingController: ev.reportingComponent,
    reportingInstance: ev.reportingInstance,
  } as Event);
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export const eventResource: ResourceDef<Event> = {
  group: 'events.k8s.io',
  version: 'v1',
  ...eventResourceNames,
  schema: EventSchema,
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
  table: { columns: eventTableColumns, cells: (ev, now) => eventTableCells(toCoreEvent(ev), now) },
  storedAs: { group: '', plural: 'events', toStored: toCoreEvent, fromStored: (o) => fromCoreEvent(o as CoreEvent) },
  fieldSelectors: {
    ...referenceFieldSelectors('regarding', (ev: Event) => ev.regarding),
    reason: (ev) => ev.reason ?? '',
    reportingController: (ev) => ev.reportingController ?? '',
    type: (ev) => ev.type ?? '',
  },
};
