// Discovery documents: /api, /apis, group and group-version resource lists, and the aggregated
// (apidiscovery.k8s.io/v2) form kubectl prefers.
import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry, type ResourceDef } from '../api/registry.js';

const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version the client accepts first, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const r of (accept ?? '').split(',')) {
    const parts = r.split(';').map((s) => s.trim());
    if (parts[0] !== 'application/json') continue;
    const p = new Map(parts.slice(1).map((x) => x.split('=') as [string, string]));
    if (p.get('g') === 'apidiscovery.k8s.io' && p.get('as') === 'APIGroupDiscoveryList') {
      const v = p.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
    return undefined;
  }
  return undefined;
}

function storageVersionHash(def: ResourceDef): string {
  return createHash('sha256').update(`${def.group}/${def.version}/${def.kind}`).digest('base64').slice(0, 11);
}

function subresourcesOf(def: ResourceDef): { name: string; kind: string; group: string; version: string }[] {
  const out: { name: string; kind: string; group: string; version: string }[] = [];
  if (def.subresources?.status) out.push({ name: 'status', kind: def.kind, group: def.group, version: def.version });
  if (def.subresources?.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1' });
  if (def.group === '' && def.kind === 'Pod') {
    out.push({ name: 'binding', kind: 'Binding', group: '', version: 'v1' });
    out.push({ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1' });
    out.push({ name: 'log', kind: 'Pod', group: '', version: 'v1' });
    out.push({ name: 'exec', kind: 'PodExecOptions', group: '', version: 'v1' });
    out.push({ name: 'attach', kind: 'PodAttachOptions', group: '', version: 'v1' });
    out.push({ name: 'portforward', kind: 'PodPortForwardOptions', group: '', version: 'v1' });
  }
  if (def.group === '' && def.kind === 'Namespace') out.push({ name: 'finalize', kind: 'Namespace', group: '', version: 'v1' });
  return out;
}

function subresourceVerbs(name: string): string[] {
  if (name === 'binding' || name === 'eviction') return ['create'];
  if (name === 'finalize') return ['update'];
  if (name === 'log') return ['get'];
  if (name === 'exec' || name === 'attach' || name === 'portforward') return ['create', 'get'];
  return SUBRESOURCE_VERBS;
}

export function apiResourceList(registry: Registry, group: string, version: string): object | undefined {
  const defs = registry.all().filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  const resources: object[] = [];
  for (const d of defs) {
    const r: Record<string, unknown> = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: RESOURCE_VERBS,
      storageVersionHash: storageVersionHash(d),
    };
    if (d.shortNames?.length) r['shortNames'] = d.shortNames;
    if (d.categories?.length) r['categories'] = d.categories;
    resources.push(r);
    for (const s of subresourcesOf(d)) {
      const sr: Record<string, unknown> = { name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.namespaced, kind: s.kind, verbs: subresourceVerbs(s.name) };
      // Another group/version than the resource's: both named (kubectl drain finds policy/v1 eviction by them).
      if (s.group !== d.group || s.version !== d.version) {
        sr['group'] = s.group;
        sr['version'] = s.version;
      }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

function versionsOf(registry: Registry, group: string): string[] {
  const out: string[] = [];
  for (const d of registry.all()) if (d.group === group && !out.includes(d.version)) out.push(d.version);
  return out;
}

function apiGroup(registry: Registry, group: string): object {
  const versions = versionsOf(registry, group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupDoc(registry: Registry, group: string): object | undefined {
  if (!registry.groups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(registry, group) };
}

export function apiGroupList(registry: Registry): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map((g) => apiGroup(registry, g)) };
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function aggregatedResources(registry: Registry, group: string, version: string): object[] {
  return registry
    .all()
    .filter((d) => d.group === group && d.version === version)
    .map((d) => {
      const r: Record<string, unknown> = {
        resource: d.plural,
        responseKind: { group: d.group, version: d.version, kind: d.kind },
        scope: d.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: d.singular,
        verbs: RESOURCE_VERBS,
      };
      if (d.shortNames?.length) r['shortNames'] = d.shortNames;
      if (d.categories?.length) r['categories'] = d.categories;
      const subs = subresourcesOf(d);
      if (subs.length > 0) {
        r['subresources'] = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: subresourceVerbs(s.name) }));
      }
      return r;
    });
}

/** Aggregated discovery for the legacy group (/api) or all named groups (/apis). */
export function aggregatedDiscovery(registry: Registry, legacy: boolean, version: 'v2' | 'v2beta1'): object {
  const groups = legacy ? [''] : registry.groups();
  const items = groups.map((g) => {
    const metadata: Record<string, unknown> = { creationTimestamp: null };
    if (g !== '') metadata['name'] = g;
    return {
      metadata,
      versions: versionsOf(registry, g).map((v) => ({ version: v, resources: aggregatedResources(registry, g, v), freshness: 'Current' })),
    };
  });
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function groupVersionString(def: ResourceDef): string {
  return apiVersionOf(def);
}
