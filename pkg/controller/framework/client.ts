// What controllers write through: a narrow, typed view of the API by resource, so a controller
// depends on these few verbs rather than on HTTP, and unit tests hand it a recording fake.
import type { DeleteCallOptions, KubeObject, PatchOptions, PatchType, ResourceClient, ResourceDescriptor, WriteOptions } from '../../client/resource.js';
import type { RestClient } from '../../client/rest.js';

export interface ObjectClient {
  get<T extends KubeObject>(r: ResourceDescriptor, namespace: string, name: string): Promise<T>;
  list<T extends KubeObject>(r: ResourceDescriptor, namespace: string, opts?: { labelSelector?: string; fieldSelector?: string }): Promise<T[]>;
  create<T extends KubeObject>(r: ResourceDescriptor, namespace: string, obj: T, opts?: WriteOptions): Promise<T>;
  update<T extends KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus<T extends KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(r: ResourceDescriptor, namespace: string, name: string, patch: unknown, type: PatchType, opts?: PatchOptions): Promise<T>;
  /** Resolves when the API accepted the delete (the object may linger while finalizers run). */
  delete(r: ResourceDescriptor, namespace: string, name: string, opts?: DeleteCallOptions): Promise<void>;
  /** Deletes every object of the resource in the namespace (DELETE on the collection). */
  deleteCollection(r: ResourceDescriptor, namespace: string): Promise<void>;
  /** PUT to a subresource with the whole object: namespaces/finalize. */
  updateSubresource<T extends KubeObject>(r: ResourceDescriptor, obj: T, subresource: string): Promise<T>;
  /** POST to a subresource: pods/eviction, pods/binding. */
  createSubresource<R = unknown>(r: ResourceDescriptor, namespace: string, name: string, subresource: string, body: unknown): Promise<R>;
}

/** The ObjectClient of a RestClient (with its retries, failover and leader fence). */
export function restObjectClient(rest: RestClient): ObjectClient {
  function at<T extends KubeObject>(r: ResourceDescriptor, namespace: string): ResourceClient<T> {
    const c = rest.resource<T>(r);
    return r.namespaced ? c.namespace(namespace) : c;
  }
  return {
    get: <T extends KubeObject>(r: ResourceDescriptor, ns: string, name: string) => at<T>(r, ns).get(name),
    async list<T extends KubeObject>(r: ResourceDescriptor, ns: string, opts?: { labelSelector?: string; fieldSelector?: string }) {
      const c = r.namespaced && ns !== '' ? rest.resource<T>(r).namespace(ns) : rest.resource<T>(r);
      return (await c.listAll(opts ?? {})).items;
    },
    create: <T extends KubeObject>(r: ResourceDescriptor, ns: string, obj: T, opts?: WriteOptions) => at<T>(r, ns).create(obj, opts),
    update: <T extends KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOptions) => at<T>(r, obj.metadata?.namespace ?? '').update(obj, opts),
    updateStatus: <T extends KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOptions) => at<T>(r, obj.metadata?.namespace ?? '').updateStatus(obj, opts),
    patch: <T extends KubeObject>(r: ResourceDescriptor, ns: string, name: string, patch: unknown, type: PatchType, opts?: PatchOptions) => at<T>(r, ns).patch(name, patch, type, opts),
    async delete(r: ResourceDescriptor, ns: string, name: string, opts?: DeleteCallOptions) {
      await at(r, ns).delete(name, opts);
    },
    async deleteCollection(r: ResourceDescriptor, ns: string) {
      await at(r, ns).deleteCollection();
    },
    updateSubresource: <T extends KubeObject>(r: ResourceDescriptor, obj: T, sub: string) => at<T>(r, obj.metadata?.namespace ?? '').updateSubresource<T>(obj.metadata?.name ?? '', sub, obj),
    createSubresource: <R>(r: ResourceDescriptor, ns: string, name: string, sub: string, body: unknown) => at(r, ns).createSubresource<R>(name, sub, body),
  };
}
