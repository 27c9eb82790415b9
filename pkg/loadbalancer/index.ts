// Public surface of the apiserver load balancer.
export { formatHostPort, parseHostPort, type HostPort } from './address.js';
export {
  BackendTable,
  cutsConnections,
  systemClock,
  type BackendState,
  type BackendStatus,
  type BackendTableOptions,
  type Clock,
  type ConnectionId,
  type FailureResult,
  type ProbeResult,
  type ResolveChange,
  type Transition,
} from './backends.js';
export { LOADBALANCER_USAGE, parseLoadBalancerFlags, type LoadBalancerFlags } from './options.js';
export { classifyFailure, probeBackend, resolveTarget, systemLookup, type Lookup, type ResolveOutcome } from './probe.js';
export { LoadBalancer, type LoadBalancerAddresses, type LoadBalancerOptions } from './server.js';
