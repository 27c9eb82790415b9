// Admission on the node (upstream's kubelet lifecycle predicates): before a pod bound to this node
// runs, the kubelet checks it against the node as the scheduler should have — resources against
// what the admitted pods already request, the pod count, the node selector and required affinity,
// host ports, NoExecute taints — and rejects it with upstream's reason and message otherwise. The
// checks are the scheduler's own functions, written once.
import type { Node } from '../api/core/v1/node.js';
import type { Pod } from '../api/core/v1/pod-types.js';
import { findUntoleratedTaint, podRequestList, quantityValue, RequiredNodeAffinity, RESOURCE_PODS } from '../scheduler/framework/index.js';

export type AdmitResult = { readonly admit: true } | { readonly admit: false; readonly reason: string; readonly message: string };

/** Host ports a pod asks for, as "protocol/ip/port" (0.0.0.0 and "" clash with every IP). */
function hostPorts(pod: Pod): { protocol: string; ip: string; port: number }[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) =>
    (c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0).map((p) => ({ protocol: p.protocol ?? 'TCP', ip: p.hostIP ?? '0.0.0.0', port: p.hostPort! })),
  );
}

const wildcard = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';

/** Whether `pod` may run on `node` next to the pods already admitted there. */
export function admitPod(pod: Pod, node: Node, admitted: readonly Pod[]): AdmitResult {
  const allocatable = node.status?.allocatable ?? {};
  const want = podRequestList(pod);
  const used = new Map<string, number>();
  for (const p of admitted) for (const [k, v] of podRequestList(p)) used.set(k, (used.get(k) ?? 0) + v);
  // The pod count first, then each requested resource, as upstream's fit check orders them.
  const podCapacity = allocatable[RESOURCE_PODS] !== undefined ? quantityValue(RESOURCE_PODS, allocatable[RESOURCE_PODS]!) : Infinity;
  if (admitted.length + 1 > podCapacity) {
    return { admit: false, reason: 'OutOfpods', message: `Node didn't have enough resource: pods, requested: 1, used: ${admitted.length}, capacity: ${podCapacity}` };
  }
  for (const [name, requested] of want) {
    if (requested <= 0 || name === RESOURCE_PODS) continue;
    const capacity = allocatable[name] !== undefined ? quantityValue(name, allocatable[name]!) : 0;
    const inUse = used.get(name) ?? 0;
    if (requested + inUse > capacity) {
      return { admit: false, reason: `OutOf${name}`, message: `Node didn't have enough resource: ${name}, requested: ${requested}, used: ${inUse}, capacity: ${capacity}` };
    }
  }
  if (!new RequiredNodeAffinity(pod).matches(node)) {
    return { admit: false, reason: 'NodeAffinity', message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" };
  }
  const taken = admitted.flatMap(hostPorts);
  for (const p of hostPorts(pod)) {
    if (taken.some((t) => t.port === p.port && t.protocol === p.protocol && (wildcard(t.ip) || wildcard(p.ip) || t.ip === p.ip))) {
      return { admit: false, reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" };
    }
  }
  const untolerated = findUntoleratedTaint((node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute'), pod.spec?.tolerations);
  if (untolerated !== undefined) {
    return { admit: false, reason: 'TaintToleration', message: `Predicate TaintToleration failed: node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}` };
  }
  return { admit: true };
}
