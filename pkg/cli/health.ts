// /healthz, /livez and /readyz for supervisors (compose healthchecks, the launcher, chaos), with
// real checks as upstream's components have them: liveness fails when this replica believes it
// leads but has not renewed its Lease for far longer than the Lease lasts (a wedged leader must be
// restarted); readiness also needs the informer caches synced. Leadership itself is not health: a
// standby replica is healthy and ready.
import { createServer, type Server } from 'node:http';

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
}

/** The checks of whatever incarnation runs now; set anew by each. */
export class HealthChecks {
  private liveness: () => HealthCheck[] = () => [];
  private readiness: () => HealthCheck[] = () => [{ name: 'informer-sync', ok: false }];

  set(liveness: () => HealthCheck[], readiness: () => HealthCheck[]): void {
    this.liveness = liveness;
    this.readiness = readiness;
  }

  live(): HealthCheck[] {
    return [{ name: 'ping', ok: true }, ...this.liveness()];
  }

  ready(): HealthCheck[] {
    return [...this.live(), ...this.readiness()];
  }
}

export interface HealthServer {
  readonly server: Server;
  readonly checks: HealthChecks;
  address(): ReturnType<Server['address']>;
  close(): void;
}

export async function serveHealth(bindAddress: string, port: number): Promise<HealthServer> {
  const checks = new HealthChecks();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://health');
    const [kind, one] = url.pathname.split('/').filter((p) => p !== '');
    if (kind !== 'healthz' && kind !== 'livez' && kind !== 'readyz') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const all = kind === 'readyz' ? checks.ready() : checks.live();
    const picked = one === undefined ? all : all.filter((c) => c.name === one);
    if (picked.length === 0) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const ok = picked.every((c) => c.ok);
    const verbose = url.searchParams.has('verbose');
    const body = verbose ? picked.map((c) => `[${c.ok ? '+' : '-'}]${c.name} ${c.ok ? 'ok' : 'failed'}`).join('\n') + `\n${kind} check ${ok ? 'passed' : 'failed'}\n` : ok ? 'ok' : `${kind} check failed`;
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => resolve());
  });
  return { server, checks, address: () => server.address(), close: () => void server.close() };
}

/** --secure-port: 0 picks one, -1 serves nothing. */
export function parsePortFlag(name: string, text: string | undefined): number {
  const port = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(port) || port < -1 || port > 65535) throw new RangeError(`invalid --${name} ${String(text)}`);
  return port;
}

/** How far past its lease a leader that has not renewed still counts as alive (upstream: 20 s). */
export const LEADER_HEALTH_TOLERANCE_MS = 20_000;
