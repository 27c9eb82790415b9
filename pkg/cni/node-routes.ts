// The node's part of the pod network between nodes, as flannel's host-gw backend does it: this
// node's pod range read from its Node (the node-ipam controller sets spec.podCIDR after the
// kubelet registers), and a route to every other node's pod range through that node's InternalIP.
// Level-triggered: every Node change, and a resync, recomputes the whole table and makes the
// kernel's routes of our protocol match it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { nodeResource, type Node } from '../api/core/v1/node.js';
import type { DeepReadonly } from '../client/informer/index.js';
import { SharedInformerFactory } from '../client/informer/index.js';
import type { RestClient } from '../client/rest.js';
import { realClock } from '../client/clock.js';
import { ReconcileLoop } from '../controller/framework/loop.js';

const run = promisify(execFile);

/** The routing protocol number our routes carry (rtnetlink's "proto"), so stale ones are ours to remove and no one else's are touched. */
export const KUBETS_ROUTE_PROTOCOL = 77;

/** A pod range and the node address it is reached through. */
export interface PodRoute {
  readonly dst: string;
  readonly via: string;
}

function internalIp(node: DeepReadonly<Node>): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

function podCidrsOf(node: DeepReadonly<Node>): string[] {
  const cidrs = node.spec?.podCIDRs ?? (node.spec?.podCIDR !== undefined ? [node.spec.podCIDR] : []);
  return cidrs.filter((c) => c.includes('.'));
}

/**
 * The routes this node needs: one per IPv4 pod range of every other node with an InternalIP.
 * A node on this node's own address, or on loopback (nodes sharing one host), needs none: its
 * bridge is on this host already.
 */
export function desiredPodRoutes(nodes: readonly DeepReadonly<Node>[], self: string): PodRoute[] {
  const own = nodes.find((n) => n.metadata?.name === self);
  const ownIp = own !== undefined ? internalIp(own) : undefined;
  const routes: PodRoute[] = [];
  for (const node of nodes) {
    if (node.metadata?.name === self) continue;
    const via = internalIp(node);
    if (via === undefined || via === ownIp || via.startsWith('127.')) continue;
    for (const dst of podCidrsOf(node)) routes.push({ dst, via });
  }
  return routes.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** The node's own pod range, once it has one. */
export function ownPodCidr(nodes: readonly DeepReadonly<Node>[], self: string): string | undefined {
  const own = nodes.find((n) => n.metadata?.name === self);
  return own !== undefined ? podCidrsOf(own)[0] : undefined;
}

/** Routes of our protocol in the kernel's main table. */
async function installedRoutes(): Promise<PodRoute[]> {
  const { stdout } = await run('ip', ['-j', '-4', 'route', 'show', 'proto', String(KUBETS_ROUTE_PROTOCOL)]);
  const list = JSON.parse(stdout || '[]') as { dst?: string; gateway?: string }[];
  return list.map((r) => ({ dst: r.dst ?? '', via: r.gateway ?? '' }));
}

/** Makes the kernel's routes of our protocol exactly `desired`; returns what it changed. */
export async function syncPodRoutes(desired: readonly PodRoute[]): Promise<{ added: PodRoute[]; removed: PodRoute[] }> {
  const have = await installedRoutes();
  const key = (r: PodRoute): string => `${r.dst} via ${r.via}`;
  const haveKeys = new Set(have.map(key));
  const wantDst = new Set(desired.map((r) => r.dst));
  const added: PodRoute[] = [];
  const removed: PodRoute[] = [];
  for (const r of desired) {
    if (haveKeys.has(key(r))) continue;
    await run('ip', ['route', 'replace', r.dst, 'via', r.via, 'proto', String(KUBETS_ROUTE_PROTOCOL)]);
    added.push(r);
  }
  for (const r of have) {
    if (wantDst.has(r.dst)) continue;
    await run('ip', ['route', 'delete', r.dst, 'proto', String(KUBETS_ROUTE_PROTOCOL)]).catch(() => undefined);
    removed.push(r);
  }
  return { added, removed };
}

export interface NodeNetworkAgentOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  readonly log: Logger;
  /** Called with the node's pod range when it is first known or changes. */
  readonly onPodCidr: (cidr: string) => void;
  readonly resyncMs?: number;
}

/** The work queue's one key. */
const ROUTES_KEY = 'routes';

/** Runs until `signal`: keeps the node's pod range and the routes to the other nodes' ranges current. */
export async function runNodeNetworkAgent(o: NodeNetworkAgentOptions, signal: AbortSignal): Promise<void> {
  const informers = new SharedInformerFactory(o.client, { logger: o.log });
  const nodes = informers.forResource<Node>(nodeResource);
  let podCidr: string | undefined;
  const sync = async (): Promise<void> => {
    const all = nodes.lister().list();
    const cidr = ownPodCidr(all, o.nodeName);
    if (cidr !== undefined && cidr !== podCidr) {
      podCidr = cidr;
      o.onPodCidr(cidr);
      o.log.info({ podCIDR: cidr }, 'node pod range');
    }
    const { added, removed } = await syncPodRoutes(desiredPodRoutes(all, o.nodeName));
    if (added.length > 0 || removed.length > 0) o.log.info({ added, removed }, 'pod routes to other nodes changed');
  };
  // One key for the whole table: changes that arrive during a sync make one more, and a sync that
  // fails (an `ip` error) is retried with backoff.
  const loop = new ReconcileLoop({ name: 'node-routes', workers: 1, clock: realClock, log: o.log, reconciler: { reconcile: sync } });
  const changed = (): void => loop.enqueue(ROUTES_KEY);
  nodes.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  informers.start(signal);
  await informers.waitForCacheSync(signal);
  changed();
  const resync = setInterval(changed, o.resyncMs ?? 30_000);
  try {
    await loop.run(signal);
  } finally {
    clearInterval(resync);
  }
}
