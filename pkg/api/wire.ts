// The protobuf field numbers of every built-in definition, merged from the per-group tables.
import type { WireGroup } from './schema/protobuf.js';
import { metaWire } from './meta/wire.js';
import { coreWire } from './core/v1/wire.js';
import { appsWire } from './apps/v1/wire.js';
import { batchWire } from './batch/v1/wire.js';
import { coordinationWire } from './coordination/v1/wire.js';
import { discoveryWire } from './discovery/v1/wire.js';
import { eventsWire } from './events/v1/wire.js';
import { schedulingWire } from './scheduling/v1/wire.js';
import { policyWire } from './policy/v1/wire.js';
import { storageWire } from './storage/v1/wire.js';

export const wireGroups: readonly WireGroup[] = [
  metaWire,
  coreWire,
  appsWire,
  batchWire,
  coordinationWire,
  discoveryWire,
  eventsWire,
  schedulingWire,
  policyWire,
  storageWire,
];

/** Merges wire tables; a definition described twice is a bug in the tables. */
export function mergeWire(groups: readonly WireGroup[]): WireGroup {
  const fields: Record<string, Readonly<Record<string, number>>> = {};
  const keepZero: Record<string, readonly string[]> = {};
  for (const g of groups) {
    for (const [name, table] of Object.entries(g.fields)) {
      if (fields[name]) throw new Error(`protobuf field numbers of ${name} are defined twice`);
      fields[name] = table;
    }
    for (const [name, list] of Object.entries(g.keepZero)) {
      if (keepZero[name]) throw new Error(`keepZero of ${name} is defined twice`);
      keepZero[name] = list;
    }
  }
  return { fields, keepZero };
}

export const wire: WireGroup = mergeWire(wireGroups);

/** Definition name → JSON field name → protobuf field number. */
export const wireFields: WireGroup['fields'] = wire.fields;
