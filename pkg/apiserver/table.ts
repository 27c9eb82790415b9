// Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`, and the
// PartialObjectMetadata forms.
import type { KubeObject, ResourceDef, TableColumn, TablePrinter } from '../api/registry.js';
import { age } from '../api/printers/age.js';

const DEFAULT_PRINTER: TablePrinter<KubeObject> = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Created At', type: 'date', format: '', description: 'When the object was created.', priority: 0 },
  ],
  cells: (o) => [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function partialObjectMetadata(o: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} };
}

function printerOf(def: ResourceDef): TablePrinter<KubeObject> {
  return def.table ?? DEFAULT_PRINTER;
}

function columnDefinitions(cols: readonly TableColumn[]): object[] {
  return cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
}

export interface TableOptions {
  readonly includeObject: IncludeObject;
  readonly noHeaders?: boolean;
  readonly now: Date;
}

function row(def: ResourceDef, o: KubeObject, opts: TableOptions): object {
  let cells: readonly unknown[];
  try {
    cells = printerOf(def).cells(o, opts.now);
  } catch {
    // A malformed stored object must not break listing; show what we can.
    cells = [o.metadata?.name ?? '', age(o.metadata?.creationTimestamp, opts.now)];
  }
  const r: Record<string, unknown> = { cells };
  if (opts.includeObject === 'Object') r['object'] = o;
  else if (opts.includeObject === 'Metadata') r['object'] = partialObjectMetadata(o);
  return r;
}

export function toTable(def: ResourceDef, items: readonly KubeObject[], listMeta: Record<string, unknown>, opts: TableOptions): object {
  const t: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  t['columnDefinitions'] = opts.noHeaders ? null : columnDefinitions(printerOf(def).columns);
  t['rows'] = items.map((o) => row(def, o, opts));
  return t;
}
