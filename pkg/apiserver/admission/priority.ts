// The Priority admission plugin: a new pod's priorityClassName is resolved to spec.priority and
// spec.preemptionPolicy from its PriorityClass (or the global default class when it names none),
// and a pod may not claim a priority its class does not give it.
import type { Pod } from '../../api/core/v1/index.js';
import { forbidden } from '../../api/errors.js';
import type { PriorityClass } from '../../api/scheduling/v1/index.js';
import type { ServerContext } from '../handlers/context.js';

const PODS = { group: '', resource: 'pods' };

function classes(ctx: ServerContext): { get(name: string): Promise<PriorityClass | undefined>; all(): PriorityClass[] } | undefined {
  const def = ctx.registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!def) return undefined;
  const store = ctx.store(def);
  return {
    // The watch cache first, as upstream's lister; etcd when the class is new enough to be missing there.
    async get(name) {
      const cached = store.getCached(undefined, name) as PriorityClass | undefined;
      if (cached) return cached;
      try {
        return (await store.get(undefined, name)) as PriorityClass;
      } catch {
        return undefined;
      }
    },
    all: () => [...store.cache.objects.values()] as PriorityClass[],
  };
}

/** Mutates the pod's spec (priority, preemptionPolicy, and the default class name). */
export async function admitPodPriority(ctx: ServerContext, pod: Pod): Promise<void> {
  const spec = pod.spec;
  if (!spec) return;
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  const pcs = classes(ctx);
  let pc: PriorityClass | undefined;
  if (spec.priorityClassName) {
    pc = await pcs?.get(spec.priorityClassName);
    if (!pc) throw forbidden(PODS, name, `no PriorityClass with name ${spec.priorityClassName} was found`);
  } else {
    // With several global defaults (possible during a race), upstream takes the lowest value.
    const defaults = (pcs?.all() ?? []).filter((c) => c.globalDefault === true).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
    pc = defaults[0];
    if (pc) spec.priorityClassName = pc.metadata?.name ?? '';
  }
  const priority = pc?.value ?? 0;
  const policy = pc?.preemptionPolicy ?? 'PreemptLowerPriority';
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw forbidden(PODS, name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
    throw forbidden(PODS, name, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.priority = priority;
  spec.preemptionPolicy = policy;
}
