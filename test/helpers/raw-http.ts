// HTTP requests sent exactly as written: fetch and URL would normalise `..`, `%2e` and bad escapes
// away before they reach the server, and those are what hostile-input tests must send.
import { request as httpRequest } from 'node:http';

export interface RawAnswer {
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(url: string, method: string, path: string, contentType: string, payload: string | Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const body = method === 'GET' || method === 'HEAD' ? undefined : payload;
    // Framed explicitly: node sends a DELETE body with neither length nor chunking, so the server
    // would read it as the next request.
    const framing: Record<string, string> = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpRequest(
      { host: u.hostname, port: u.port, method, path, headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...framing, ...headers }, timeout: 10_000, agent: false },
      (res) => {
        const streaming = res.statusCode === 200 && /\/watch\/|[?&]watch=(1|true)/.test(path);
        if (streaming) {
          // A successful watch streams until its timeout; its headers are answer enough.
          res.destroy();
          resolve({ status: 200, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}
