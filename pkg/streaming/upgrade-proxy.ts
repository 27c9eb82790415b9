// An HTTP upgrade passed on: the same request (its upgrade headers) opened at the next hop, and
// once that hop switched protocols, its answer and then the bytes both ways, untouched. The
// apiserver does this to the kubelet for exec, attach and port-forward; the kubelet to the
// runtime's streaming server for port-forward.
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Upgrade headers passed on (WebSocket's handshake and SPDY's protocol choice). */
const PASSED_HEADERS = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

/** The next hop answered without switching protocols. */
export class UpgradeRefusedError extends Error {
  override readonly name = 'UpgradeRefusedError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Opens the upgrade at `target` and splices the two connections once it switched protocols. */
export function proxyUpgrade(target: string, req: IncomingMessage, client: Duplex, head: Buffer, method = 'GET'): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  return new Promise<void>((resolve, reject) => {
    const out = request(target, { method, headers });
    out.on('upgrade', (res, upstream, upstreamHead) => {
      const lines = [`HTTP/1.1 ${res.statusCode ?? 101} ${res.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      if (upstreamHead.length > 0) client.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      resolve();
    });
    out.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new UpgradeRefusedError(res.statusCode ?? 500, Buffer.concat(chunks).toString().trim() || `${target} answered ${res.statusCode}`)));
    });
    out.on('error', reject);
    out.end();
  });
}
