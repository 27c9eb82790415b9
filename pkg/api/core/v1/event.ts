// core/v1 Event: a report of something that happened to an object. Through this (legacy) API
// only the loose historical checks apply; events.k8s.io/v1 adds the strict ones.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef, TableColumn } from '../../registry.js';
import { int32, microTime, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, required, type FieldError } from '../../validation/field.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../validation/names.js';
import { ObjectReferenceSchema, type ObjectReference } from './common.js';

const P = 'io.k8s.api.core.v1.';

export const EventSourceSchema = struct(P + 'EventSource', 'The component that reported an event.', {
  component: string('Component that generated the event.'),
  host: string('Node on which the event was generated.'),
});

export const EventSeriesSchema = struct(P + 'EventSeries', 'An event that keeps happening, reported as a series.', {
  count: int32('Occurrences up to the last heartbeat.'),
  lastObservedTime: microTime('Time of the last occurrence.'),
});

export const EventSchema = resourceSchema(P + 'Event', 'A report of an event somewhere in the cluster. Events are best-effort and kept for a limited time.', {
  involvedObject: withDescription(ObjectReferenceSchema, 'The object the event is about.'),
  reason: string('Short machine-readable reason for the transition into the object\'s current state.'),
  message: string('Human-readable description of the event.'),
  source: withDescription(EventSourceSchema, 'The component reporting the event.'),
  firstTimestamp: time('When the event was first recorded.'),
  lastTimestamp: time('When the most recent occurrence was recorded.'),
  count: int32('Number of times the event occurred.'),
  type: string('Normal or Warning (new types may be added).'),
  eventTime: microTime('When the event was first observed.'),
  series: withDescription(EventSeriesSchema, 'The series this event belongs to; absent for a singleton event.'),
  action: string('What action was taken or failed on the regarding object.'),
  related: withDescription(ObjectReferenceSchema, 'A secondary object of more complex actions.'),
  reportingComponent: string('Controller that emitted the event, e.g. kubernetes.io/kubelet.'),
  reportingInstance: string('Instance of that controller, e.g. kubelet-xyzf.'),
});
export type Event = Static<typeof EventSchema>;
export const EventListSchema = listSchema(P + 'EventList', EventSchema);

/** Byte limits of the fields an event created through either API must keep to. */
export const eventLengthLimits = { reportingInstance: 128, action: 128, reason: 128, message: 1024 } as const;

// 0001-01-01T00:00:00Z, Go's zero time.
const goZeroTime = -62135596800000;
// Go's len() counts bytes.
const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Unset, or Go's zero time (what an explicit "0001-01-01T00:00:00Z" decodes to). */
function isZeroTime(t: string | undefined): boolean {
  if (!t) return true;
  const ms = Date.parse(t);
  return Number.isNaN(ms) || ms === goZeroTime;
}

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const mismatch = (): FieldError => invalid(FieldPath.root('involvedObject').child('namespace'), involvedNs, 'does not match event.namespace');
  if (isZeroTime(ev.eventTime)) {
    // Old-style events: the namespaces must agree ("default" is tolerated for old clients).
    if (involvedNs === '') {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) {
      errs.push(mismatch());
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    // Upstream names the field by its Go name here.
    const controllerPath = FieldPath.root('reportingController');
    const controller = ev.reportingComponent ?? '';
    if (controller === '') errs.push(required(controllerPath));
    for (const m of isQualifiedName(controller)) errs.push(invalid(controllerPath, controller, m));
    for (const field of ['reportingInstance', 'action', 'reason'] as const) {
      const v = ev[field] ?? '';
      if (v === '') errs.push(required(FieldPath.root(field)));
      if (byteLen(v) > eventLengthLimits[field]) errs.push(invalid(FieldPath.root(field), '', `can have at most ${eventLengthLimits[field]} characters`));
    }
    if (byteLen(ev.message ?? '') > eventLengthLimits.message) errs.push(invalid(FieldPath.root('message'), '', `can have at most ${eventLengthLimits.message} characters`));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid(FieldPath.root('namespace'), ns, m));
  return errs;
}

/** "component, instance", falling back to the reporting controller and instance. */
export function formatEventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance === '' ? component : `${component}, ${instance}`;
}

const since = (t: string | undefined, now: Date): string => (isZeroTime(t) ? '<unknown>' : age(t, now));

/** The columns kube-apiserver prints for events, whichever API serves them. */
export const eventTableColumns: readonly TableColumn[] = [
  { name: 'Last Seen', type: 'string', description: 'Time since the most recent occurrence.', priority: 0 },
  { name: 'Type', type: 'string', description: 'Normal or Warning.', priority: 0 },
  { name: 'Reason', type: 'string', description: 'Short reason for the event.', priority: 0 },
  { name: 'Object', type: 'string', description: 'The object the event is about.', priority: 0 },
  { name: 'Subobject', type: 'string', description: 'The part of the object the event is about.', priority: 1 },
  { name: 'Source', type: 'string', description: 'The component that reported the event.', priority: 1 },
  { name: 'Message', type: 'string', description: 'Description of the event.', priority: 0 },
  { name: 'First Seen', type: 'string', description: 'Time since the first occurrence.', priority: 1 },
  { name: 'Count', type: 'string', description: 'Number of occurrences.', priority: 1 },
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the event.', priority: 1 },
];

/** The cells of eventTableColumns, computed on the core/v1 form (events.k8s.io/v1 converts first). */
export function eventTableCells(ev: Event, now: Date): (string | number)[] {
  const first = isZeroTime(ev.firstTimestamp) ? since(ev.eventTime, now) : since(ev.firstTimestamp, now);
  let last = isZeroTime(ev.lastTimestamp) ? first : since(ev.lastTimestamp, now);
  // Events from the new API carry no count when they happened once.
  let count = ev.count || 1;
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
  return [
    last,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    ev.involvedObject?.fieldPath ?? '',
    formatEventSource(ev),
    (ev.message ?? '').trim(),
    first,
    count,
    ev.metadata?.name ?? '',
  ];
}

const referenceFields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

/** Field selectors over the object an event is about, named `<prefix>.<field>` (involvedObject or regarding). */
export function referenceFieldSelectors<T>(prefix: string, ref: (ev: T) => ObjectReference | undefined): Record<string, (ev: T) => string> {
  return Object.fromEntries(referenceFields.map((f) => [`${prefix}.${f}`, (ev: T): string => ref(ev)?.[f] ?? '']));
}

/** The names both APIs serve events under (the same stored objects). */
export const eventResourceNames = {
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  nameValidation: 'subdomain',
} as const satisfies Partial<ResourceDef<Event>>;

export const eventResource: ResourceDef<Event> = {
  group: '',
  version: 'v1',
  ...eventResourceNames,
  schema: EventSchema,
  validate: validateEvent,
  validateUpdate: validateEvent,
  table: { columns: eventTableColumns, cells: eventTableCells },
  fieldSelectors: {
    ...referenceFieldSelectors('involvedObject', (ev: Event) => ev.involvedObject),
    reason: (ev) => ev.reason ?? '',
    reportingComponent: (ev) => ev.reportingComponent ?? '',
    source: (ev) => ev.source?.component || ev.reportingComponent || '',
    type: (ev) => ev.type ?? '',
  },
};
