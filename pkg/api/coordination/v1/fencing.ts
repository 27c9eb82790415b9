// Fencing tokens for leader-only writes (a kubets extension; upstream Kubernetes has none).
//
// A leader elected through a Lease sends, with every write only a leader may make, the header
// `Kubets-Leader-Fence: <namespace>/<name>/<leaseTransitions>/<holderIdentity>` naming the Lease
// and the term it won. The apiserver accepts the write only while that Lease still names the same
// holder and the same number of transitions, and checks it in the same etcd transaction as the
// write, so a deposed leader that wakes up late (a frozen process, a slow network) cannot
// overwrite what the new leader did. Namespaces, names and the count never contain "/", so the
// holder identity (which may) is everything after the third one.

export const FENCING_HEADER = 'Kubets-Leader-Fence';

export interface FencingToken {
  readonly namespace: string;
  readonly name: string;
  readonly holderIdentity: string;
  readonly leaseTransitions: number;
}

export function formatFencingToken(t: FencingToken): string {
  return `${t.namespace}/${t.name}/${t.leaseTransitions}/${t.holderIdentity}`;
}

/** The token in a header value, or a sentence saying what is wrong with it. */
export function parseFencingToken(value: string): FencingToken | string {
  const parts = value.split('/');
  if (parts.length < 4) return `${FENCING_HEADER} must be <namespace>/<name>/<leaseTransitions>/<holderIdentity>, got ${JSON.stringify(value)}`;
  const [namespace = '', name = '', count = ''] = parts;
  const holderIdentity = parts.slice(3).join('/');
  if (namespace === '' || name === '' || holderIdentity === '') return `${FENCING_HEADER} has an empty namespace, name or holder: ${JSON.stringify(value)}`;
  if (!/^(0|[1-9]\d{0,9})$/.test(count) || Number(count) > 2 ** 31 - 1) return `${FENCING_HEADER} leaseTransitions must be a non-negative integer, got ${JSON.stringify(count)}`;
  return { namespace, name, holderIdentity, leaseTransitions: Number(count) };
}
