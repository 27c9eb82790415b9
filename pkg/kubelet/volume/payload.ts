// The files of the volumes made from API data — configMap, secret, downwardAPI and projected — as
// upstream's volume plugins lay them out: every key (or the listed items) as a file, modes from
// the item, else the volume's defaultMode; the downward API's labels and annotations one
// `key="value"` per line. Errors carry upstream's words; the kubelet prefixes them with
// `MountVolume.SetUp failed for volume "<name>" : `.
import type { Container, Pod } from '../../api/core/v1/pod-types.js';
import { DEFAULT_VOLUME_FILE_MODE, type DownwardAPIVolumeFile, type KeyToPath, type Volume } from '../../api/core/v1/volumes.js';
import { metadataFieldValue, resourceValue } from '../env.js';
import type { Payload, PayloadFile } from './atomic-writer.js';

/** The keys of a ConfigMap (data and binaryData) or a Secret (decoded), as bytes. */
export type ObjectData = Readonly<Record<string, Buffer>>;

/** Where the kubelet reads ConfigMaps and Secrets; undefined when the object does not exist. */
export interface VolumeDataSources {
  configMap(namespace: string, name: string): Promise<ObjectData | undefined>;
  secret(namespace: string, name: string): Promise<ObjectData | undefined>;
}

/** A volume that cannot be set up (yet): the pod waits in ContainerCreating with a FailedMount event. */
export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
}

/** Upstream's FormatMap: sorted `key="value"` lines, Go-quoted values, no trailing newline. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

function downwardValue(pod: Pod, path: string): string {
  if (path === 'metadata.labels') return formatMap(pod.metadata?.labels);
  if (path === 'metadata.annotations') return formatMap(pod.metadata?.annotations);
  const v = metadataFieldValue(pod, path);
  if (v === undefined) throw new VolumeSetupError(`unsupported fieldPath: ${path}`);
  return v;
}

function downwardFiles(pod: Pod, items: readonly DownwardAPIVolumeFile[], defaultMode: number, allocatable: Readonly<Record<string, string>>, out: Map<string, PayloadFile>): void {
  for (const item of items) {
    let value: string;
    if (item.fieldRef?.fieldPath) value = downwardValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef?.resource) {
      const name = item.resourceFieldRef.containerName ?? '';
      const c: Container | undefined = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
      if (c === undefined) throw new VolumeSetupError(`container ${name} not found in pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
      value = resourceValue(pod, c, item.resourceFieldRef.resource, item.resourceFieldRef.divisor, allocatable);
    } else continue;
    out.set(item.path, { content: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
}

/** Keys to files: every key, or only the items (each of which must exist unless optional). */
function keyFiles(kind: 'configmap' | 'secret', data: ObjectData, items: readonly KeyToPath[] | undefined, optional: boolean, defaultMode: number, out: Map<string, PayloadFile>): void {
  if (items === undefined || items.length === 0) {
    for (const [k, v] of Object.entries(data)) out.set(k, { content: v, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const v = data[item.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { content: v, mode: item.mode ?? defaultMode });
  }
}

async function objectFiles(kind: 'configmap' | 'secret', sources: VolumeDataSources, namespace: string, name: string, items: readonly KeyToPath[] | undefined, optional: boolean, defaultMode: number, out: Map<string, PayloadFile>): Promise<void> {
  const data = kind === 'configmap' ? await sources.configMap(namespace, name) : await sources.secret(namespace, name);
  if (data === undefined) {
    if (optional) return;
    throw new VolumeSetupError(`${kind} "${name}" not found`);
  }
  keyFiles(kind, data, items, optional, defaultMode, out);
}

/** Whether the volume's files come from the API (and are refreshed while the pod runs). */
export function isPayloadVolume(v: Volume): boolean {
  return v.configMap !== undefined || v.secret !== undefined || v.downwardAPI !== undefined || v.projected !== undefined;
}

/** The files of a configMap, secret, downwardAPI or projected volume. */
export async function volumePayload(pod: Pod, v: Volume, sources: VolumeDataSources, allocatable: Readonly<Record<string, string>>): Promise<Payload> {
  const ns = pod.metadata?.namespace ?? '';
  const out = new Map<string, PayloadFile>();
  if (v.configMap) {
    await objectFiles('configmap', sources, ns, v.configMap.name ?? '', v.configMap.items, v.configMap.optional === true, v.configMap.defaultMode ?? DEFAULT_VOLUME_FILE_MODE, out);
  } else if (v.secret) {
    await objectFiles('secret', sources, ns, v.secret.secretName ?? '', v.secret.items, v.secret.optional === true, v.secret.defaultMode ?? DEFAULT_VOLUME_FILE_MODE, out);
  } else if (v.downwardAPI) {
    downwardFiles(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? DEFAULT_VOLUME_FILE_MODE, allocatable, out);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_VOLUME_FILE_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) await objectFiles('configmap', sources, ns, s.configMap.name ?? '', s.configMap.items, s.configMap.optional === true, mode, out);
      else if (s.secret) await objectFiles('secret', sources, ns, s.secret.name ?? '', s.secret.items, s.secret.optional === true, mode, out);
      else if (s.downwardAPI) downwardFiles(pod, s.downwardAPI.items ?? [], mode, allocatable, out);
      else if (s.serviceAccountToken) throw new VolumeSetupError(`failed to fetch token: the API server does not serve serviceaccounts/token yet`);
      else if (s.clusterTrustBundle) {
        if (s.clusterTrustBundle.optional === true) out.set(s.clusterTrustBundle.path, { content: Buffer.alloc(0), mode });
        else throw new VolumeSetupError(`clusterTrustBundle projections are not served by this API server`);
      }
    }
  }
  return out;
}
