// What the API serves, from discovery: every resource of the preferred version of every group, with
// its verbs. Controllers that act on "everything" (namespace deletion, garbage collection) read it
// here, so a kind added to the apiserver needs no change in them.
import type { ResourceDescriptor } from '../../client/resource.js';
import type { RestClient } from '../../client/rest.js';

export interface DiscoveredResource extends ResourceDescriptor {
  readonly kind: string;
  readonly verbs: readonly string[];
}

export interface DiscoveryResult {
  readonly resources: readonly DiscoveredResource[];
  /** Group versions whose resource list could not be read ("apps/v1"), with why. */
  readonly failed: readonly { readonly groupVersion: string; readonly error: string }[];
}

export interface Discovery {
  /** Top-level resources (no subresources) of each group's preferred version. */
  preferredResources(signal?: AbortSignal): Promise<DiscoveryResult>;
}

interface APIResourceListView {
  resources?: { name?: string; namespaced?: boolean; kind?: string; verbs?: string[] }[];
}

interface APIGroupListView {
  groups?: { name?: string; preferredVersion?: { groupVersion?: string; version?: string } }[];
}

/** Discovery through the apiserver's /api and /apis documents. */
export function restDiscovery(rest: RestClient): Discovery {
  return {
    async preferredResources(signal) {
      const call = signal !== undefined ? { signal } : {};
      const groups = await rest.request<APIGroupListView>({ path: '/apis', ...call });
      const versions: { group: string; version: string }[] = [{ group: '', version: 'v1' }];
      for (const g of groups.groups ?? []) {
        if (g.name !== undefined && g.preferredVersion?.version !== undefined) versions.push({ group: g.name, version: g.preferredVersion.version });
      }
      const resources: DiscoveredResource[] = [];
      const failed: { groupVersion: string; error: string }[] = [];
      await Promise.all(
        versions.map(async ({ group, version }) => {
          const groupVersion = group === '' ? version : `${group}/${version}`;
          try {
            const list = await rest.request<APIResourceListView>({ path: group === '' ? `/api/${version}` : `/apis/${group}/${version}`, ...call });
            for (const r of list.resources ?? []) {
              if (r.name === undefined || r.name.includes('/')) continue;
              resources.push({ group, version, plural: r.name, namespaced: r.namespaced === true, kind: r.kind ?? '', verbs: r.verbs ?? [] });
            }
          } catch (err) {
            failed.push({ groupVersion, error: err instanceof Error ? err.message : String(err) });
          }
        }),
      );
      resources.sort((a, b) => (a.group + '/' + a.plural < b.group + '/' + b.plural ? -1 : 1));
      return { resources, failed };
    },
  };
}
