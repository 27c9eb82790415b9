// kube-apiserver-style flags for cmd/apiserver.
import { FlagError, parseFlags } from '../cli/component.js';

export interface ApiServerFlags {
  readonly etcdServers: string[];
  readonly bindAddress: string;
  readonly advertiseAddress?: string;
  readonly securePort: number;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly serviceClusterIPRange: string;
  readonly serviceNodePortRange: string;
  readonly etcdRequestTimeoutMs: number;
  readonly watchCacheSize: number;
  readonly shutdownDelayMs: number;
  readonly maxRequestsInflight: number;
  readonly maxMutatingRequestsInflight: number;
  readonly logLevel: string;
}

export const APISERVER_USAGE = `Usage: apiserver [flags]
  --etcd-servers=URL[,URL...]        etcd client URLs (required)
  --bind-address=IP                  address to listen on (default 127.0.0.1)
  --advertise-address=IP             address published in the kubernetes Service endpoints
                                     (default: the bind address, or a host address for 0.0.0.0)
  --secure-port=N                    port to serve on; 0 picks a free one (default 6443)
  --tls-cert-file, --tls-private-key-file
                                     serve HTTPS with this certificate; plain HTTP without
  --service-cluster-ip-range=CIDR    ClusterIP range (default 10.96.0.0/12)
  --service-node-port-range=A-B      NodePort range (default 30000-32767)
  --etcd-request-timeout=MS          deadline of each etcd request (default 2000)
  --watch-cache-size=N               events kept per resource for watch resumption (default 10000)
  --shutdown-delay-duration=MS       on SIGTERM, keep serving this long (answers say Connection: close,
                                     /readyz fails) before draining (default 1000)
  --max-requests-inflight=N          read requests served at once; more are answered 429 (default 400, 0 = no limit)
  --max-mutating-requests-inflight=N write requests served at once; more are answered 429 (default 200, 0 = no limit)
  --log-level=LEVEL                  pino level (default info)`;


export function parseApiServerFlags(argv: readonly string[]): ApiServerFlags {
  const values = parseFlags(argv, {
    'etcd-servers': { type: 'string' },
    'bind-address': { type: 'string', default: '127.0.0.1' },
    'advertise-address': { type: 'string' },
    'secure-port': { type: 'string', default: '6443' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
    'service-node-port-range': { type: 'string', default: '30000-32767' },
    'etcd-request-timeout': { type: 'string', default: '2000' },
    'watch-cache-size': { type: 'string', default: '10000' },
    'shutdown-delay-duration': { type: 'string', default: '1000' },
    'max-requests-inflight': { type: 'string', default: '400' },
    'max-mutating-requests-inflight': { type: 'string', default: '200' },
    'log-level': { type: 'string', default: 'info' },
  });
  const etcd = values['etcd-servers'];
  if (!etcd) throw new FlagError('--etcd-servers is required');
  const port = Number(values['secure-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError(`invalid --secure-port ${values['secure-port']}`);
  const num = (name: 'etcd-request-timeout' | 'watch-cache-size' | 'shutdown-delay-duration' | 'max-requests-inflight' | 'max-mutating-requests-inflight'): number => {
    const n = Number(values[name]);
    const min = name === 'etcd-request-timeout' || name === 'watch-cache-size' ? 1 : 0;
    if (!Number.isInteger(n) || n < min) throw new FlagError(`invalid --${name} ${values[name]}`);
    return n;
  };
  const flags: ApiServerFlags = {
    etcdServers: etcd.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    bindAddress: values['bind-address']!,
    securePort: port,
    serviceClusterIPRange: values['service-cluster-ip-range']!,
    serviceNodePortRange: values['service-node-port-range']!,
    etcdRequestTimeoutMs: num('etcd-request-timeout'),
    watchCacheSize: num('watch-cache-size'),
    shutdownDelayMs: num('shutdown-delay-duration'),
    maxRequestsInflight: num('max-requests-inflight'),
    maxMutatingRequestsInflight: num('max-mutating-requests-inflight'),
    logLevel: values['log-level']!,
    ...(values['advertise-address'] ? { advertiseAddress: values['advertise-address'] } : {}),
    ...(values['tls-cert-file'] ? { tlsCertFile: values['tls-cert-file'] } : {}),
    ...(values['tls-private-key-file'] ? { tlsPrivateKeyFile: values['tls-private-key-file'] } : {}),
  };
  return flags;
}
