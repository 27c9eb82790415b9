// /healthz, /livez and /readyz for supervisors (compose healthchecks, the launcher, chaos): a
// component that answers is alive; leadership is not health (a standby replica is healthy).
import { createServer, type Server } from 'node:http';

export async function serveHealth(bindAddress: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const ok = path === '/healthz' || path === '/livez' || path === '/readyz';
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'text/plain' });
    res.end(ok ? 'ok' : '404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => resolve());
  });
  return server;
}

/** --secure-port: 0 picks one, -1 serves nothing. */
export function parsePortFlag(name: string, text: string | undefined): number {
  const port = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(port) || port < -1 || port > 65535) throw new RangeError(`invalid --${name} ${String(text)}`);
  return port;
}
