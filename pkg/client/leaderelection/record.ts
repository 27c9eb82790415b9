// The pure part of Lease-based leader election: what a candidate concludes from the Lease it
// read and its own clock, and the record it writes. No I/O, so every rule is unit-testable.
//
// As in client-go, a candidate never compares its clock with the holder's renewTime (clocks of
// different machines disagree): it notes when IT saw the record change, and considers the lease
// expired leaseDurationSeconds after that moment.
import { formatMicroTime as microTime } from '../../api/meta/v1.js';
import type { LeaseSpec } from '../../api/coordination/v1/index.js';

export interface LeaderRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
}

/** A record and the local time (ms) it was first seen in this exact state. */
export interface Observation {
  readonly record: LeaderRecord;
  readonly observedAt: number;
}

export function recordOf(spec: LeaseSpec | undefined): LeaderRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    ...(spec?.acquireTime !== undefined ? { acquireTime: spec.acquireTime } : {}),
    ...(spec?.renewTime !== undefined ? { renewTime: spec.renewTime } : {}),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

export function specOf(r: LeaderRecord): LeaseSpec {
  return {
    ...(r.holderIdentity !== '' ? { holderIdentity: r.holderIdentity } : {}),
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTime !== undefined ? { acquireTime: r.acquireTime } : {}),
    ...(r.renewTime !== undefined ? { renewTime: r.renewTime } : {}),
    leaseTransitions: r.leaseTransitions,
  };
}

function sameRecord(a: LeaderRecord, b: LeaderRecord): boolean {
  return a.holderIdentity === b.holderIdentity && a.leaseDurationSeconds === b.leaseDurationSeconds && a.acquireTime === b.acquireTime && a.renewTime === b.renewTime && a.leaseTransitions === b.leaseTransitions;
}

/** The observation after reading `record` at local time `now`: the clock restarts only on a change. */
export function observe(prev: Observation | undefined, record: LeaderRecord, now: number): Observation {
  return prev !== undefined && sameRecord(prev.record, record) ? prev : { record, observedAt: now };
}

/** Someone else holds the lease and, by our own clock, has not let it expire. */
export function heldByOther(obs: Observation, identity: string, now: number): boolean {
  const r = obs.record;
  return r.holderIdentity !== '' && r.holderIdentity !== identity && obs.observedAt + r.leaseDurationSeconds * 1000 > now;
}

/** Lease times are MicroTime. */
export { microTime };

/**
 * The record to write to acquire or renew: the same term (acquireTime, transitions) when we hold
 * it already, a new term (one more transition) when we take it from someone else or from nobody
 * after a release.
 */
export function nextRecord(current: LeaderRecord | undefined, identity: string, leaseDurationSeconds: number, wallNow: number): LeaderRecord {
  const now = microTime(wallNow);
  if (current === undefined) return { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
  if (current.holderIdentity === identity) return { ...current, leaseDurationSeconds, renewTime: now };
  return { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: current.leaseTransitions + 1 };
}

/** What a leader writes when it steps down: nobody holds the lease, and it expires at once. */
export function releasedRecord(current: LeaderRecord, wallNow: number): LeaderRecord {
  const now = microTime(wallNow);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.leaseTransitions };
}
