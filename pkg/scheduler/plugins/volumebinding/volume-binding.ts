// VolumeBinding: a pod's PersistentVolumeClaims decide where it can go. A bound claim's volume
// must be reachable from the node (its nodeAffinity); an unbound claim of an Immediate class keeps
// the pod unschedulable until the PV controller binds it; an unbound claim of a
// WaitForFirstConsumer class is bound here, for the chosen node: to an Available volume that fits
// and reaches the node, else by asking its provisioner for one there (the selected-node
// annotation). PreBind writes those choices and waits until every claim is bound, then the pod is.
import type { PersistentVolume } from '../../../api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../../api/core/v1/persistentvolumeclaim.js';
import type { StorageClass } from '../../../api/storage/v1/storageclass.js';
import { tryParseQuantity, type Quantity } from '../../../api/resource/quantity.js';
import type { DeepReadonly } from '../../../client/informer/store.js';
import { ANN_SELECTED_NODE, claimClass, findBestMatch } from '../../../controller/volume/persistentvolume/binder.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, PreBindPlugin, PreFilterOutcome, PreFilterPlugin, ReservePlugin } from '../../framework/interface.js';
import { CompiledNodeSelector } from '../../framework/node-selector.js';
import { errorStatus, newStatus, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE_CLAIMS = 'pod has unbound immediate PersistentVolumeClaims';
/** The provisioner of classes whose volumes are only ever made by hand. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** Upstream's VolumeBindingArgs.bindTimeoutSeconds default. */
export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

type PV = DeepReadonly<PersistentVolume>;
type PVC = DeepReadonly<PersistentVolumeClaim>;

/** The writes PreBind makes and the wait that follows: the scheduler process supplies them. */
export interface VolumeBinderIO {
  /** Pre-binds the volume to the claim (its claimRef); the PV controller completes the binding. */
  bindVolume(volume: PV, claim: PVC, signal: AbortSignal): Promise<void>;
  /** Asks the claim's provisioner for a volume on the node (the selected-node annotation). */
  selectNode(claim: PVC, node: string, signal: AbortSignal): Promise<void>;
  /** Resolves once every claim is bound; rejects when `timeoutMs` passes first. */
  waitBound(claims: readonly PVC[], timeoutMs: number, signal: AbortSignal): Promise<void>;
}

export interface VolumeBindingArgs {
  readonly bindTimeoutSeconds?: number;
}

interface PodClaims {
  readonly bound: readonly { readonly claim: PVC; readonly volume: PV | undefined }[];
  /** Unbound claims of WaitForFirstConsumer classes, smallest request first. */
  readonly delayed: readonly PVC[];
  readonly snapshot: Snapshot;
}

/** What binding the pod's delayed claims on one node takes. */
interface NodeDecision {
  readonly bindings: readonly { readonly claim: PVC; readonly volume: PV }[];
  readonly provisions: readonly PVC[];
}

const claimsKey = stateKey<PodClaims>('VolumeBinding/claims');
const decisionsKey = stateKey<Map<string, NodeDecision>>('VolumeBinding/decisions', (m) => new Map(m));

/** The claims a pod uses: its persistentVolumeClaim volumes and the `<pod>-<volume>` claims of its ephemeral ones. */
export function podClaimNames(pod: PodInfo['pod']): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

function volumeReachesNode(v: PV, node: NodeInfo['node']): boolean {
  const terms = v.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return CompiledNodeSelector.compile(terms as Parameters<typeof CompiledNodeSelector.compile>[0]).matches(node);
}

/** A class's allowedTopologies admit the node (each term: every key's label among its values). */
function topologyAllows(cls: DeepReadonly<StorageClass>, node: NodeInfo['node']): boolean {
  const terms = cls.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  const labels = node.metadata?.labels ?? {};
  return terms.some((t) =>
    (t.matchLabelExpressions ?? []).every((e) => {
      const value = labels[e.key ?? ''];
      return value !== undefined && (e.values ?? []).includes(value);
    }),
  );
}

const ZERO = tryParseQuantity('0')!;
const requestOf = (c: PVC): Quantity => tryParseQuantity(c.spec?.resources?.requests?.['storage']) ?? ZERO;

export function newVolumeBinding(args: VolumeBindingArgs, io: VolumeBinderIO | undefined): PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin {
  const timeoutMs = (args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS) * 1000;
  return {
    name: VOLUME_BINDING,

    preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome {
      const names = podClaimNames(pod.pod);
      if (names.length === 0) return { status: SKIP };
      const ns = pod.namespace;
      const bound: { claim: PVC; volume: PV | undefined }[] = [];
      const delayed: PVC[] = [];
      let immediate = false;
      for (const name of names) {
        const claim = snapshot.storage.claim(ns, name);
        if (claim === undefined) return { status: newStatus('UnschedulableAndUnresolvable', `persistentvolumeclaim "${name}" not found`) };
        if (claim.metadata?.deletionTimestamp !== undefined) return { status: newStatus('UnschedulableAndUnresolvable', `persistentvolumeclaim "${name}" is being deleted`) };
        const volumeName = claim.spec?.volumeName ?? '';
        if (volumeName !== '') {
          bound.push({ claim, volume: snapshot.storage.volumes().find((v) => v.metadata?.name === volumeName) });
          continue;
        }
        const cls = claimClass(claim);
        if (cls !== '' && snapshot.storage.storageClass(cls)?.volumeBindingMode === 'WaitForFirstConsumer') delayed.push(claim);
        else immediate = true;
      }
      if (immediate) return { status: newStatus('UnschedulableAndUnresolvable', ERR_UNBOUND_IMMEDIATE_CLAIMS) };
      delayed.sort((a, b) => requestOf(a).cmp(requestOf(b)));
      state.write(claimsKey, { bound, delayed, snapshot });
      state.write(decisionsKey, new Map());
      return { status: SUCCESS };
    },

    filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): Status {
      const claims = state.read(claimsKey);
      if (claims === undefined) return SUCCESS;
      const node = nodeInfo.node;
      for (const { volume } of claims.bound) {
        if (volume === undefined) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_PV_NOT_EXIST);
        if (!volumeReachesNode(volume, node)) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_CONFLICT);
      }
      if (claims.delayed.length === 0) return SUCCESS;
      const storage = claims.snapshot.storage;
      const taken = new Set<string>();
      const bindings: { claim: PVC; volume: PV }[] = [];
      const provisions: PVC[] = [];
      for (const claim of claims.delayed) {
        const selected = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
        // A claim already being provisioned for another node can only follow it there.
        if (selected !== undefined && selected !== nodeInfo.name) return newStatus('Unschedulable', ERR_REASON_BIND_CONFLICT);
        const candidates = storage.volumes().filter((v) => !taken.has(v.metadata?.name ?? '') && volumeReachesNode(v, node));
        const volume = findBestMatch(claim, candidates, false);
        if (volume !== undefined) {
          taken.add(volume.metadata?.name ?? '');
          bindings.push({ claim, volume });
          continue;
        }
        const cls = storage.storageClass(claimClass(claim));
        if (cls === undefined || cls.provisioner === NO_PROVISIONER || !topologyAllows(cls, node)) return newStatus('Unschedulable', ERR_REASON_BIND_CONFLICT);
        provisions.push(claim);
      }
      state.read(decisionsKey)?.set(nodeInfo.name, { bindings, provisions });
      return SUCCESS;
    },

    // The choices are in the cycle state already; PreBind writes them.
    reserve(): Status {
      return SUCCESS;
    },
    unreserve(): void {},

    async preBind(state: CycleState, _pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
      const decision = state.read(decisionsKey)?.get(nodeName);
      if (decision === undefined || (decision.bindings.length === 0 && decision.provisions.length === 0)) return SUCCESS;
      if (io === undefined) return errorStatus('binding volumes: the scheduler has no API client for volume bindings');
      try {
        for (const b of decision.bindings) await io.bindVolume(b.volume, b.claim, signal);
        for (const c of decision.provisions) if (c.metadata?.annotations?.[ANN_SELECTED_NODE] !== nodeName) await io.selectNode(c, nodeName, signal);
        await io.waitBound([...decision.bindings.map((b) => b.claim), ...decision.provisions], timeoutMs, signal);
        return SUCCESS;
      } catch (err) {
        return errorStatus(`binding volumes: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
