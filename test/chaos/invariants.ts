// The invariants a chaos run must keep, as pure functions over the recorded history. Each returns
// pass/fail with the evidence; none of them knows how the history was produced.
import type { DaemonSetHistory, DeploymentHistory, FaultRecord, JobHistory, StatefulSetHistory, FinalState, LeakCheck, LeaderHistory, ObjectState, WatchHistory, WatchRecord, WriteRecord } from './history.js';

export interface InvariantResult {
  readonly name: string;
  readonly pass: boolean;
  readonly summary: string;
  /** Evidence, capped (see MAX_DETAILS); `more` counts what was left out. */
  readonly details: readonly string[];
  readonly more?: number;
}

export const MAX_DETAILS = 50;

function result(name: string, problems: readonly string[], okSummary: string, failSummary: (n: number) => string): InvariantResult {
  const details = problems.slice(0, MAX_DETAILS);
  const more = problems.length - details.length;
  return {
    name,
    pass: problems.length === 0,
    summary: problems.length === 0 ? okSummary : failSummary(problems.length),
    details,
    ...(more > 0 ? { more } : {}),
  };
}

/** Writes per key in the order they were sent (each key has one sequential writer). */
export function writesByKey(writes: readonly WriteRecord[]): Map<string, WriteRecord[]> {
  const out = new Map<string, WriteRecord[]>();
  for (const w of writes) {
    let list = out.get(w.key);
    if (!list) out.set(w.key, (list = []));
    list.push(w);
  }
  for (const list of out.values()) list.sort((a, b) => a.sentAt - b.sentAt || a.id - b.id);
  return out;
}

function describe(w: WriteRecord): string {
  const rv = w.rv !== undefined ? ` rv=${w.rv}` : w.precondition !== undefined ? ` precondition rv=${w.precondition}` : '';
  return `${w.op} #${w.id} of ${w.key} (${w.outcome}${rv}, sent at ${w.sentAt.toFixed(0)}ms via ${w.server ?? '?'})`;
}

function describeState(key: string, s: ObjectState | undefined): string {
  return s === undefined ? `${key} is absent` : `${key} exists at rv=${s.rv} written by #${s.writeId ?? '?'}`;
}

export interface LostWrite {
  readonly write: WriteRecord;
  readonly reason: string;
}

/**
 * Acknowledged writes that the final state contradicts. Per key, the last acknowledged write must
 * be what the final state shows, unless an unknown-outcome write sent after it explains the
 * difference (each object names its writer in data.writeId, so "explains" is exact).
 */
export function findLostWrites(writes: readonly WriteRecord[], final: FinalState): { lost: LostWrite[]; problems: string[] } {
  const lost: LostWrite[] = [];
  const problems: string[] = [];
  const byId = new Map(writes.map((w) => [w.id, w]));
  const byKey = writesByKey(writes);
  const keys = new Set([...byKey.keys(), ...final.objects.keys()]);
  for (const key of keys) {
    const seq = byKey.get(key) ?? [];
    const f = final.objects.get(key);
    let lastAck = -1;
    for (let i = 0; i < seq.length; i++) if (seq[i]?.outcome === 'acknowledged') lastAck = i;
    const ack = lastAck >= 0 ? seq[lastAck] : undefined;
    const after = seq.slice(lastAck + 1).filter((w) => w.outcome === 'unknown');
    if (f !== undefined) {
      const producer = f.writeId !== undefined ? byId.get(f.writeId) : undefined;
      if (producer === undefined || producer.key !== key) {
        problems.push(`${describeState(key, f)}, but no write of the workload made it`);
        continue;
      }
      if (producer.outcome === 'failed') {
        problems.push(`${describeState(key, f)}: a write the API refused took effect: ${describe(producer)}`);
        continue;
      }
      if (producer === ack) {
        if (ack.rv !== f.rv) problems.push(`${describeState(key, f)} but its write was acknowledged with rv=${ack.rv ?? '?'}`);
        continue;
      }
      if (after.includes(producer)) {
        if (ack?.rv !== undefined && f.rv <= ack.rv) problems.push(`${describeState(key, f)}, not newer than the acknowledged ${describe(ack)}`);
        continue;
      }
      if (ack !== undefined) {
        lost.push({ write: ack, reason: `${describeState(key, f)}, older than the acknowledged write` });
        continue;
      }
      problems.push(`${describeState(key, f)} by ${describe(producer)}, which no acknowledged write follows`);
      continue;
    }
    if (ack === undefined || ack.op === 'delete') continue;
    if (after.some((w) => w.op === 'delete')) continue;
    lost.push({ write: ack, reason: `${key} is absent and no delete was sent after it` });
  }
  for (const l of lost) problems.push(`lost: ${describe(l.write)}: ${l.reason}`);
  return { lost, problems };
}

export function checkAcknowledgedWritesDurable(writes: readonly WriteRecord[], final: FinalState): InvariantResult {
  const { problems } = findLostWrites(writes, final);
  const acked = writes.filter((w) => w.outcome === 'acknowledged').length;
  return result(
    'acknowledged writes survive',
    problems,
    `all ${acked} acknowledged writes are in the final state or explained by later writes`,
    (n) => `${n} acknowledged write(s) lost or contradicted by the final state`,
  );
}

/**
 * resourceVersions only grow: per key in acknowledged writes and in watch events, and across keys
 * a write sent after another was acknowledged gets a larger resourceVersion (etcd revisions are
 * linearizable).
 */
export function checkResourceVersionsGrow(writes: readonly WriteRecord[], events: readonly WatchRecord[]): InvariantResult {
  const problems: string[] = [];
  for (const [key, seq] of writesByKey(writes)) {
    let prev: WriteRecord | undefined;
    for (const w of seq) {
      if (w.outcome !== 'acknowledged' || w.rv === undefined) continue;
      if (prev?.rv !== undefined && w.rv <= prev.rv) problems.push(`${key}: ${describe(w)} is not newer than the earlier ${describe(prev)}`);
      prev = w;
    }
  }
  // Real-time order: any write acknowledged before b was sent must have a smaller rv than b.
  const acked = writes.filter((w) => w.outcome === 'acknowledged' && w.rv !== undefined).sort((a, b) => a.endedAt - b.endedAt);
  const prefixMax: WriteRecord[] = [];
  for (const w of acked) {
    const best = prefixMax[prefixMax.length - 1];
    prefixMax.push(best !== undefined && (best.rv ?? 0) >= (w.rv ?? 0) ? best : w);
  }
  for (const b of acked) {
    let lo = 0;
    let hi = acked.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((acked[mid]?.endedAt ?? Infinity) < b.sentAt) lo = mid + 1;
      else hi = mid;
    }
    const a = lo > 0 ? prefixMax[lo - 1] : undefined;
    if (a !== undefined && (a.rv ?? 0) >= (b.rv ?? 0)) problems.push(`${describe(b)} got a smaller rv than ${describe(a)}, acknowledged before it was sent`);
  }
  const lastByKey = new Map<string, WatchRecord>();
  for (const ev of events) {
    const prev = lastByKey.get(ev.key);
    if (prev !== undefined && ev.rv <= prev.rv) {
      problems.push(`watch: ${ev.type} ${ev.key} rv=${ev.rv} (stream ${ev.stream}) after ${prev.type} rv=${prev.rv} (stream ${prev.stream})`);
    }
    if (prev === undefined || ev.rv > prev.rv) lastByKey.set(ev.key, ev);
  }
  return result(
    'resourceVersions only grow',
    problems,
    `resourceVersions grow per key in ${acked.length} acknowledged writes and ${events.length} watch events, and follow real time across keys`,
    (n) => `${n} resourceVersion(s) went backwards`,
  );
}

/** The state a watcher would hold after applying events in order. */
export function replayEvents(events: readonly WatchRecord[]): Map<string, ObjectState> {
  const state = new Map<string, ObjectState>();
  for (const ev of events) {
    if (ev.type === 'DELETED') state.delete(ev.key);
    else state.set(ev.key, { rv: ev.rv, uid: ev.uid, ...(ev.writeId !== undefined ? { writeId: ev.writeId } : {}) });
  }
  return state;
}

/**
 * The watch, across reconnects, shows every acknowledged write exactly once: each acknowledged
 * create/update as an event with its rv, each acknowledged delete as a DELETED event of that uid;
 * no rv delivered twice or out of order; no event from a write the API refused; and the
 * watcher's state at the end equals the final list. Writes hidden by a relist after 410 Gone
 * (their rv inside the relist's gap) are excused, as Kubernetes' watch semantics allow.
 */
export function checkWatchComplete(writes: readonly WriteRecord[], watch: WatchHistory, final: FinalState): InvariantResult {
  const problems: string[] = [];
  if (!watch.caughtUp) problems.push('the watcher never saw the end-of-run fence object: it fell behind or got stuck');
  const received = watch.events.filter((e) => !e.synthetic);
  const seen = new Map<number, WatchRecord>();
  let prev: WatchRecord | undefined;
  for (const ev of received) {
    const dup = seen.get(ev.rv);
    if (dup !== undefined) problems.push(`duplicate: rv=${ev.rv} delivered twice (${dup.type} ${dup.key} on stream ${dup.stream}, ${ev.type} ${ev.key} on stream ${ev.stream})`);
    else seen.set(ev.rv, ev);
    if (prev !== undefined && ev.rv < prev.rv && dup === undefined) problems.push(`out of order: rv=${ev.rv} (${ev.key}, stream ${ev.stream}) after rv=${prev.rv} (stream ${prev.stream})`);
    if (prev === undefined || ev.rv > prev.rv) prev = ev;
  }
  const inGap = (rv: number): boolean => watch.relists.some((r) => r.reason === 'gone' && rv > r.fromRv && rv <= r.listRv);
  // A delete's own resourceVersion is not known. One sent after the last event the stream delivered
  // before a 410 and acknowledged before the relist fell in the gap; the relist cannot show it
  // when the workload made the key again before the list (it sees a new object, not a deletion).
  const lastReceivedBefore = (t: number): number => received.reduce((m, e) => (e.at < t && e.at > m ? e.at : m), -Infinity);
  const deleteInGap = (w: WriteRecord): boolean => watch.relists.some((r) => r.reason === 'gone' && w.endedAt <= r.at && w.sentAt >= lastReceivedBefore(r.at));
  const byWriteId = new Map<number, WatchRecord[]>();
  const deletes = new Map<string, WatchRecord[]>();
  for (const ev of watch.events) {
    if (ev.writeId !== undefined && ev.type !== 'DELETED') {
      let l = byWriteId.get(ev.writeId);
      if (!l) byWriteId.set(ev.writeId, (l = []));
      l.push(ev);
    }
    if (ev.type === 'DELETED') {
      let l = deletes.get(ev.key);
      if (!l) deletes.set(ev.key, (l = []));
      l.push(ev);
    }
  }
  const writeById = new Map(writes.map((w) => [w.id, w]));
  let excused = 0;
  let matched = 0;
  for (const w of writes) {
    if (w.outcome !== 'acknowledged') continue;
    if (w.op === 'delete') {
      const evs = (deletes.get(w.key) ?? []).filter((e) => e.uid === w.uid && e.rv > (w.precondition ?? 0));
      if (evs.some((e) => !e.synthetic)) matched++;
      else if (evs.length > 0 || deleteInGap(w)) excused++;
      else problems.push(`gap: no DELETED event for the acknowledged ${describe(w)}`);
      continue;
    }
    const evs = byWriteId.get(w.id) ?? [];
    const exact = evs.filter((e) => e.rv === w.rv && e.key === w.key);
    if (exact.some((e) => !e.synthetic)) matched++;
    else if (exact.length > 0 || (w.rv !== undefined && inGap(w.rv))) excused++;
    else if (evs.length > 0) problems.push(`mismatch: the acknowledged ${describe(w)} appeared in the watch with rv=${evs.map((e) => e.rv).join(',')}`);
    else problems.push(`gap: no event for the acknowledged ${describe(w)}`);
  }
  for (const [id, evs] of byWriteId) {
    const w = writeById.get(id);
    if (w === undefined) problems.push(`phantom: event for unknown write #${id} (${evs[0]?.key ?? '?'} rv=${evs[0]?.rv ?? '?'})`);
    else if (w.outcome === 'failed') problems.push(`phantom: ${evs[0]?.type ?? '?'} rv=${evs[0]?.rv ?? '?'} for the refused ${describe(w)}`);
  }
  if (watch.caughtUp) {
    const state = replayEvents(watch.events);
    for (const [key, s] of final.objects) {
      const mine = state.get(key);
      if (mine === undefined) problems.push(`final list has ${describeState(key, s)} but the watcher does not`);
      else if (mine.rv !== s.rv) problems.push(`final list has ${describeState(key, s)} but the watcher has rv=${mine.rv}`);
    }
    for (const [key, mine] of state) {
      if (!final.objects.has(key)) problems.push(`the watcher has ${describeState(key, mine)} but the final list does not`);
    }
  }
  return result(
    'watch has no gaps or duplicates',
    problems,
    `${matched} acknowledged writes seen as events (${excused} covered by a relist), ${received.length} events, no duplicates, watcher state equals the final list`,
    (n) => `${n} watch problem(s)`,
  );
}

/** After each fault the API served again within its bound, through any apiserver and through the faulted one. */
export function checkAvailability(faults: readonly FaultRecord[]): InvariantResult {
  const problems: string[] = [];
  let checked = 0;
  for (const f of faults) {
    const name = `fault ${f.index} (${f.fault} ${f.component ?? f.step.target})`;
    if (f.skipped !== undefined) continue;
    if (f.error !== undefined) {
      problems.push(`${name}: ${f.error}`);
      continue;
    }
    checked++;
    if (f.removedNode !== undefined) {
      // Removed for good: the rest of the cluster must stay available and healthy; the member never returns.
      if (f.unavailableAnyMs === undefined) problems.push(`${name}: no request succeeded through any apiserver afterwards`);
      if (f.recoveredMs === undefined) problems.push(`${name}: the rest of the cluster did not stay healthy`);
      continue;
    }
    if (f.unavailableAnyMs === undefined) problems.push(`${name}: no request succeeded through any apiserver afterwards`);
    else if (f.boundAnyMs !== undefined && f.unavailableAnyMs > f.boundAnyMs) problems.push(`${name}: the API was unavailable for ${Math.round(f.unavailableAnyMs)}ms (bound ${f.boundAnyMs}ms)`);
    if (f.unavailableFaultedMs === undefined) problems.push(`${name}: the faulted component never served again`);
    else if (f.boundFaultedMs !== undefined && f.unavailableFaultedMs > f.boundFaultedMs) {
      problems.push(`${name}: the faulted component served again only after ${Math.round(f.unavailableFaultedMs)}ms (bound ${f.boundFaultedMs}ms)`);
    }
    if (f.recoveredMs === undefined) problems.push(`${name}: the cluster did not become healthy again`);
  }
  return result('API available again after each fault', problems, `${checked} fault(s): the API came back within its bound each time`, (n) => `${n} availability problem(s)`);
}

/** Requests end by themselves: none outlived the client's deadline by far (the harness' watchdog). */
export function checkNoStuckRequests(writes: readonly WriteRecord[]): InvariantResult {
  const problems = writes.filter((w) => w.stuck === true).map((w) => `stuck: ${describe(w)} had no answer after ${Math.round(w.endedAt - w.sentAt)}ms`);
  return result('no request hangs', problems, `all ${writes.length} requests ended within the client's deadline`, (n) => `${n} request(s) hung`);
}

export function checkNoLeakedProcesses(leaks: LeakCheck): InvariantResult {
  const problems = leaks.leaked.map((p) => `${p.name} (${p.id}) still runs after the cluster stopped`);
  return result('no process leaked', problems, `all ${leaks.tracked.length} processes or containers the cluster ran are gone`, (n) => `${n} process(es) leaked`);
}

/**
 * Never two acting leaders: every binding whose binder is known was made by the replica that held
 * the kube-scheduler Lease at the binding's revision. The Lease history is what a watch saw, and a
 * watch that relisted may have skipped states, so a binding is judged only where the records on
 * both sides of its revision belong to the same term (that term held the Lease throughout), or
 * where the record before it is the binder's own term; elsewhere it is counted as not judged.
 */
export function checkSingleActingLeader(h: LeaderHistory): InvariantResult {
  const problems: string[] = [];
  let judged = 0;
  let unjudged = 0;
  for (const b of h.bindings) {
    let i = -1;
    for (let j = 0; j < h.leases.length && h.leases[j]!.rv < b.rv; j++) i = j;
    const at = h.leases[i];
    const next = h.leases[i + 1];
    if (b.binder === undefined || at === undefined) {
      unjudged++;
      continue;
    }
    if (at.holder === b.binder) {
      judged++;
      continue;
    }
    if (next === undefined || next.transitions !== at.transitions) {
      unjudged++;
      continue;
    }
    judged++;
    problems.push(`pod ${b.pod} was bound at rv=${b.rv} by ${b.binder} while the Lease was held by ${at.holder || 'nobody'} (leaseTransitions ${at.transitions}, from rv=${at.rv} to at least rv=${next.rv})`);
  }
  // A check that judged nothing proves nothing: no binding, or none where the history was whole.
  if (judged === 0) problems.push(`no binding could be judged (${h.bindings.length} made, ${unjudged} not judged): nothing shows a single acting leader`);
  const terms = new Set(h.leases.map((l) => l.transitions)).size;
  return result(
    'never two acting leaders',
    problems,
    `${judged} binding(s) made by the Lease holder of their revision, over ${terms} term(s)${unjudged > 0 ? ` (${unjudged} not judged: no known binder, or the Lease history has a hole there)` : ''}`,
    (n) => `${n} binding(s) by a replica that did not hold the Lease`,
  );
}

/** The scheduler kept scheduling through the faults: every pod created was bound by the end. */
export function checkPodsScheduled(h: LeaderHistory): InvariantResult {
  const problems = h.unbound.map((p) => `pod ${p} was never bound`);
  return result('every pod gets scheduled', problems, `all ${h.created} pod(s) created during the run were bound`, (n) => `${n} pod(s) never bound`);
}

/**
 * Every Deployment reached its last spec (replicas, all updated and available) within the bound
 * after the faults; after a node was removed for good too, since the node lifecycle controller
 * marks it NotReady and its pods are evicted (the workloads tolerate that for 10 s) and replaced.
 */
export function checkWorkloadsConverge(h: DeploymentHistory): InvariantResult {
  const problems = h.deployments.filter((d) => d.convergedAfterMs === undefined).map((d) => `${d.name} did not converge within ${h.boundMs / 1000}s: ${d.last}`);
  const slowest = Math.max(0, ...h.deployments.map((d) => d.convergedAfterMs ?? 0));
  return result('workloads converge', problems, `all ${h.deployments.length} Deployments matched their spec ${slowest} ms after the faults at most`, (n) => `${n} Deployment(s) did not converge within ${h.boundMs / 1000}s`);
}

/** No Deployment ever ran more pods than the most replicas it was asked for plus its maxSurge (counted from the watch). */
export function checkPodsWithinSurge(h: DeploymentHistory): InvariantResult {
  const problems = h.deployments.filter((d) => d.peakPods > d.podBound).map((d) => `${d.name} ran ${d.peakPods} pods at once; asked for at most ${Math.max(...d.replicasSent)} replicas, so the bound was ${d.podBound}; alive then: ${(d.peakPodNames ?? []).join('; ')}`);
  return result('never above replicas + maxSurge', problems, `no Deployment ran more pods than its replicas + maxSurge (peaks ${h.deployments.map((d) => `${d.peakPods}/${d.podBound}`).join(', ')})`, (n) => `${n} Deployment(s) overshot`);
}

/**
 * No container was started twice under one identity, and none restarted at all: the workloads'
 * containers never exit, so a kubelet that came back after a fault must adopt what its runtime
 * kept running (one container ID per pod container, restart count 0 throughout). One restart is
 * not a second start: that of a container whose predecessor never started (a containerd killed
 * while starting it leaves it exited; the kubelet counts a restart, as upstream's does).
 */
export function checkContainersAdopted(h: DeploymentHistory): InvariantResult {
  const containers = h.containers ?? [];
  const problems: string[] = [];
  let neverStarted = 0;
  for (const c of containers) {
    const ids = [...new Set(c.runs.map((r) => r.containerId))];
    const restarts = Math.max(0, ...c.runs.map((r) => r.restartCount));
    if (restarts === 1 && c.runs.every((r) => r.restartCount === 0 || r.previousNeverStarted === true)) {
      neverStarted++;
      continue;
    }
    if (ids.length > 1 || restarts > 0) problems.push(`${c.container}: ${ids.length} container IDs, restart count up to ${restarts} (${c.runs.map((r) => `${r.restartCount}:${r.containerId.replace(/^.*:\/\//, '').slice(0, 12)}`).join(' → ')})`);
  }
  const excusedNote = neverStarted > 0 ? ` (${neverStarted} restarted once after a start the runtime never completed)` : '';
  return result('containers adopted, never started twice', problems, `all ${containers.length} pod containers kept one container ID and never restarted${excusedNote}`, (n) => `${n} container(s) started more than once`);
}

/**
 * Every Job met its success criteria within the bound after the faults, and counted each
 * completion once: status.succeeded equals its completions, and no more pods than that succeeded
 * (distinct indexes when Indexed) — fewer may be left, since the taint eviction controller deletes
 * finished pods of a lost node too, as upstream's does.
 */
export function checkJobsCountedOnce(h: JobHistory): InvariantResult {
  const problems: string[] = [];
  const judged = h.jobs.filter((j) => j.neverCreated !== true);
  for (const j of judged) {
    if (j.doneAfterMs === undefined) problems.push(`${j.name} did not finish within ${h.boundMs / 1000}s: ${j.last}`);
    else if (j.succeeded !== h.completions || j.succeededPods > h.completions) problems.push(`${j.name} counted ${j.succeeded} successes with ${j.succeededPods} succeeded pod(s), for ${h.completions} completions: ${j.last}`);
    else if (j.indexed && j.completedIndexes !== `0-${h.completions - 1}`) problems.push(`${j.name} completed indexes ${j.completedIndexes}`);
  }
  const slowest = Math.max(0, ...judged.map((j) => j.doneAfterMs ?? 0));
  const failures = judged.reduce((n, j) => n + j.failed, 0);
  return result('jobs count every completion once', problems, `all ${judged.length} Jobs counted exactly ${h.completions} completions (${failures} failed pod(s) retried on the way), done ${slowest} ms after the faults at most`, (n) => `${n} Job(s) miscounted or unfinished`);
}

/** No ordinal of a StatefulSet ever had two pods at once, and every set converged within the bound after the faults. */
export function checkStatefulSets(h: StatefulSetHistory): InvariantResult {
  const problems = [
    ...h.overlaps,
    ...h.sets.filter((s) => s.convergedAfterMs === undefined).map((s) => `${s.name} (${s.policy}) did not converge within ${h.boundMs / 1000}s: ${s.last}`),
  ];
  const slowest = Math.max(0, ...h.sets.map((s) => s.convergedAfterMs ?? 0));
  return result(
    'statefulsets: one pod per ordinal, converged',
    problems,
    `no ordinal ever had two pods (${h.podsSeen} pod identities watched); all ${h.sets.length} StatefulSets had exactly their ordinals Ready at the update revision ${slowest} ms after the faults at most`,
    (n) => `${n} problem(s) with the StatefulSets`,
  );
}

/** The DaemonSet ended with exactly one Ready pod of its current template on every Ready node it belongs on, and never two on one node. */
export function checkDaemonSetConverges(h: DaemonSetHistory): InvariantResult {
  const problems = h.created && h.convergedAfterMs === undefined ? [`${h.name} did not converge within ${h.boundMs / 1000}s: ${h.last}`] : [];
  return result('daemonset: one pod per eligible node', problems, h.created ? `${h.name} (rolled ${h.changes} time(s)) ran one Ready pod of its current template on every Ready node ${h.convergedAfterMs ?? 0} ms after the faults` : `${h.name} was never created (every create failed): nothing to judge`, () => `${h.name} did not converge`);
}

export interface RunHistory {
  readonly writes: readonly WriteRecord[];
  readonly watch: WatchHistory;
  readonly final: FinalState | undefined;
  readonly faults: readonly FaultRecord[];
  readonly leaks: LeakCheck;
  readonly leaders?: LeaderHistory;
  readonly deployments?: DeploymentHistory;
  readonly jobs?: JobHistory;
  readonly statefulsets?: StatefulSetHistory;
  readonly daemonset?: DaemonSetHistory;
}

export function checkAll(h: RunHistory): InvariantResult[] {
  const missingFinal: InvariantResult[] =
    h.final === undefined
      ? [{ name: 'final state read', pass: false, summary: 'the final list of the namespace could not be read', details: [] }]
      : [];
  const final = h.final ?? { listRv: 0, objects: new Map<string, ObjectState>() };
  return [
    ...missingFinal,
    ...(h.final !== undefined ? [checkAcknowledgedWritesDurable(h.writes, final)] : []),
    checkResourceVersionsGrow(h.writes, h.watch.events),
    ...(h.final !== undefined ? [checkWatchComplete(h.writes, h.watch, final)] : []),
    checkAvailability(h.faults),
    checkNoStuckRequests(h.writes),
    checkNoLeakedProcesses(h.leaks),
    ...(h.leaders !== undefined ? [checkSingleActingLeader(h.leaders), checkPodsScheduled(h.leaders)] : []),
    ...(h.deployments !== undefined ? [checkWorkloadsConverge(h.deployments), checkPodsWithinSurge(h.deployments)] : []),
    ...(h.deployments?.containers !== undefined ? [checkContainersAdopted(h.deployments)] : []),
    ...(h.jobs !== undefined ? [checkJobsCountedOnce(h.jobs)] : []),
    ...(h.statefulsets !== undefined ? [checkStatefulSets(h.statefulsets)] : []),
    ...(h.daemonset !== undefined ? [checkDaemonSetConverges(h.daemonset)] : []),
  ];
}
