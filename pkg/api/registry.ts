// The resource registry: what the apiserver knows about each kind. Each API group exports its
// ResourceDefs; `Registry` is an explicit value built from them (nothing registers itself).
import type { TSchema } from '@sinclair/typebox';
import type { ObjectMeta } from './meta/v1.js';
import type { FieldError } from './validation/field.js';

/** Any API object as stored and served (JSON). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** "name" for the NAME column, "" otherwise. */
  readonly format?: string;
  readonly description: string;
  /** 0: always shown; 1: only with -o wide. */
  readonly priority: number;
}

export interface TablePrinter<T> {
  readonly columns: readonly TableColumn[];
  /** One cell per column, in order. `now` is injected so ages are deterministic in tests. */
  cells(obj: T, now: Date): readonly (string | number | boolean | null)[];
}

export interface ScaleSubresource {
  /** JSON path (dotted) of the desired replicas, e.g. "spec.replicas". */
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  /** Where the selector string in Scale.status.selector comes from ("spec.selector"). */
  readonly labelSelectorPath: string;
}

export interface ResourceDef<T extends KubeObject = KubeObject> {
  readonly group: string; // "" for core
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly namespaced: boolean;
  /** Full object schema (apiVersion, kind, metadata, spec, status, ...). */
  readonly schema: TSchema;
  /** How metadata.name is validated. */
  readonly nameValidation: 'subdomain' | 'label' | 'dns1035' | 'pathSegment';
  readonly subresources?: {
    /** The top-level field written only through /status (normally "status"). */
    readonly status?: boolean;
    readonly scale?: ScaleSubresource;
  };
  /** Defaulting that a schema `default` cannot express (conditional defaults). Runs after schema defaults. */
  defaults?(obj: T): void;
  /** Kind-specific validation on create (schema types, enums and unknown fields are checked generically). */
  validate?(obj: T): FieldError[];
  /** Kind-specific validation on update, immutable fields included. Runs instead of validate on update when present. */
  validateUpdate?(obj: T, old: T): FieldError[];
  /**
   * Adjusts a main-resource update before validation (fields only subresources may change,
   * values the server allocated, annotations the server maintains).
   */
  prepareForUpdate?(obj: T, old: T): void;
  /** Resets fields a client may not set on create (status of most kinds). */
  prepareForCreate?(obj: T): void;
  /** Whether a change between old and new bumps metadata.generation (default: any change outside metadata and status). */
  generationChanged?(obj: T, old: T): boolean;
  readonly table?: TablePrinter<T>;
  /**
   * Objects of this kind live in another resource's storage, converted on the way in and out
   * (events.k8s.io/v1 Events are core/v1 Events, as upstream).
   */
  readonly storedAs?: {
    readonly group: string;
    readonly plural: string;
    toStored(obj: T): KubeObject;
    fromStored(obj: KubeObject): T;
  };
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly fieldSelectors?: Readonly<Record<string, (obj: T) => string | undefined>>;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

/** Erases the object type of a definition so kinds can live in one registry. */
export function erase<T extends KubeObject>(def: ResourceDef<T>): ResourceDef {
  return def as unknown as ResourceDef;
}

export class Registry {
  private readonly byKey = new Map<string, ResourceDef>();

  constructor(defs: readonly ResourceDef[]) {
    for (const d of defs) {
      const key = `${d.group}/${d.version}/${d.plural}`;
      if (this.byKey.has(key)) throw new Error(`duplicate resource ${key}`);
      this.byKey.set(key, d);
    }
  }

  all(): readonly ResourceDef[] {
    return [...this.byKey.values()];
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byKey.get(`${group}/${version}/${plural}`);
  }

  byKind(group: string, version: string, kind: string): ResourceDef | undefined {
    return this.all().find((d) => d.group === group && d.version === version && d.kind === kind);
  }

  /** Group names in the order discovery lists them. */
  groups(): string[] {
    const out: string[] = [];
    for (const d of this.byKey.values()) if (d.group !== '' && !out.includes(d.group)) out.push(d.group);
    return out;
  }
}
