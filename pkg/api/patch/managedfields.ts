// metadata.managedFields: decoding entries into per-manager field sets keyed by manager
// identifier, and encoding them back in upstream's order (operation, time, manager, apiVersion,
// subresource). The identifier is the JSON of {manager, operation, apiVersion (Update only),
// subresource}, exactly what upstream keys managers by and prints in conflicts.
import { FieldSet } from './fieldpath.js';
import { isObject, type JsonObject } from './json.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export type Operation = 'Apply' | 'Update';

export interface ManagerInfo {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Field sets and last-change times of every manager, keyed by manager identifier. */
export interface Managed {
  readonly fields: Map<string, VersionedSet>;
  readonly times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

export function cloneManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

/** JSON of the identifying fields, in Go's field order, empty ones omitted. */
export function managerIdentifier(info: ManagerInfo): string {
  const o: Record<string, string> = {};
  if (info.manager) o['manager'] = info.manager;
  if (info.operation) o['operation'] = info.operation;
  if (info.operation !== 'Apply' && info.apiVersion) o['apiVersion'] = info.apiVersion;
  if (info.subresource) o['subresource'] = info.subresource;
  return JSON.stringify(o);
}

export function parseIdentifier(id: string): ManagerInfo {
  const o: unknown = JSON.parse(id);
  const r = isObject(o) ? o : {};
  const str = (k: string): string => (typeof r[k] === 'string' ? (r[k] as string) : '');
  return { manager: str('manager'), operation: str('operation') === 'Apply' ? 'Apply' : 'Update', apiVersion: str('apiVersion'), subresource: str('subresource') };
}

/** Upstream's wording of a manager in conflict messages: "kubectl-scale" with subresource "scale" using apps/v1 */
export function printManager(id: string): string {
  let info: ManagerInfo;
  try {
    info = parseIdentifier(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(info.manager);
  if (info.subresource) s = `${s} with subresource ${JSON.stringify(info.subresource)}`;
  if (info.operation === 'Update') return `${s} using ${info.apiVersion ?? ''}`;
  return s;
}

export class ManagedFieldsError extends Error {}

/** Decodes metadata.managedFields; throws ManagedFieldsError with upstream's texts. */
export function decodeManagedFields(entries: unknown): Managed {
  const m = emptyManaged();
  if (entries === null || entries === undefined) return m;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    const e: JsonObject = isObject(raw) ? raw : {};
    const operation = e['operation'];
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    const apiVersion = typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '';
    if (apiVersion.length < 1) throw new ManagedFieldsError('apiVersion must not be empty');
    const fieldsType = e['fieldsType'];
    if (fieldsType === undefined || fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier({
      manager: typeof e['manager'] === 'string' ? e['manager'] : '',
      operation,
      apiVersion,
      subresource: typeof e['subresource'] === 'string' ? e['subresource'] : '',
    });
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e['fieldsV1'] ?? {});
    } catch (err) {
      throw new ManagedFieldsError(`error decoding versioned set: error decoding set: ${(err as Error).message}`);
    }
    m.fields.set(id, { set, apiVersion, applied: operation === 'Apply' });
    m.times.set(id, typeof e['time'] === 'string' ? e['time'] : undefined);
  });
  return m;
}

function seconds(t: string | undefined): number {
  if (t === undefined) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encodes managers back into entries, sorted as upstream sorts them. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const info = parseIdentifier(id);
    const e: ManagedFieldsEntry = {};
    if (info.manager) e.manager = info.manager;
    e.operation = vs.applied ? 'Apply' : 'Update';
    e.apiVersion = vs.apiVersion;
    const t = m.times.get(id);
    if (t !== undefined) e.time = t;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = vs.set.toFieldsV1();
    if (info.subresource) e.subresource = info.subresource;
    out.push(e);
  }
  const cmp = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return out.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** RFC 3339 to the second, as metav1.Time serializes. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/** Folds the oldest Update managers into "ancient-changes" once there are more than the cap. */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.fields.entries()].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const vs = m.fields.get(id);
    if (!vs) continue;
    const time = m.times.get(id);
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      const s = m.fields.get(first);
      m.fields.delete(first);
      if (s) m.fields.set(bucket, s);
    }
    const b = m.fields.get(bucket);
    m.fields.set(bucket, { set: vs.set.union(b ? b.set : new FieldSet()), apiVersion: vs.apiVersion, applied: vs.applied });
    m.fields.delete(id);
    m.times.delete(id);
    length--;
    m.times.set(bucket, time);
  }
}
