// Protobuf field numbers of the events.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.events.v1.';

export const eventsWire: WireGroup = {
  fields: {
    [`${P}Event`]: {
      metadata: 1, eventTime: 2, series: 3, reportingController: 4, reportingInstance: 5, action: 6, reason: 7, regarding: 8,
      related: 9, note: 10, type: 11, deprecatedSource: 12, deprecatedFirstTimestamp: 13, deprecatedLastTimestamp: 14,
      deprecatedCount: 15,
    },
    [`${P}EventSeries`]: { count: 1, lastObservedTime: 2 },
  },
  keepZero: {
    [`${P}EventSeries`]: ['count'],
  },
};
