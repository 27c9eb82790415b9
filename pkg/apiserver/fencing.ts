// Server side of leader fencing (see pkg/api/coordination/v1/fencing.ts for the contract): a write
// carrying a fencing token runs guarded by the named Lease's etcd key, so the write and the check
// that the token's term is still current commit in one transaction.
import { FENCING_HEADER, formatFencingToken, parseFencingToken, type FencingToken, type Lease } from '../api/coordination/v1/index.js';
import { badRequest, conflict } from '../api/errors.js';
import { decodeStored, type ResourceStore } from './registry/store.js';
import { runGuarded, type StoredValue } from './storage/etcd.js';

export const FENCING_HEADER_LOWER = FENCING_HEADER.toLowerCase();

function staleToken(leases: ResourceStore, token: FencingToken, lease: Lease | undefined): Error {
  const now = lease === undefined ? 'the lease does not exist' : `the lease is held by ${JSON.stringify(lease.spec?.holderIdentity ?? '')} (leaseTransitions ${lease.spec?.leaseTransitions ?? 0})`;
  return conflict(leases.qualified, token.name, `fencing token ${JSON.stringify(formatFencingToken(token))} is stale: ${now}`);
}

/**
 * Runs `write` only while the Lease named by `header` still has the token's holder and term. The
 * first check reads the watch cache (no etcd round trip per fenced write); the transaction's
 * compare on the Lease's mod_revision is what guarantees the fence, and when the cached Lease was
 * behind, the failed compare hands back the current Lease, which is checked again.
 */
export async function fencedWrite<T>(leases: ResourceStore, header: string, write: () => Promise<T>): Promise<T> {
  const token = parseFencingToken(header);
  if (typeof token === 'string') throw badRequest(token);
  const matches = (lease: Lease | undefined): boolean => lease !== undefined && lease.spec?.holderIdentity === token.holderIdentity && (lease.spec?.leaseTransitions ?? 0) === token.leaseTransitions;
  const check = (current: StoredValue | undefined): number => {
    const lease = current === undefined ? undefined : (decodeStored(current) as Lease);
    if (!matches(lease)) throw staleToken(leases, token, lease);
    return current!.modRevision;
  };
  const cached = leases.getCached(token.namespace, token.name) as Lease | undefined;
  const cachedRevision = Number(cached?.metadata?.resourceVersion ?? 0);
  // A cached Lease of another term may only be stale: confirm with etcd before refusing.
  const modRevision = matches(cached) && cachedRevision > 0 ? cachedRevision : check(await leases.getStored(token.namespace, token.name));
  return runGuarded({ key: leases.key(token.namespace, token.name), modRevision, revalidate: check }, write);
}
