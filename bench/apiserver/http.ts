// A minimal HTTP client on node:http: keep-alive agents sized per load level, bodies as Buffers,
// and failures described with the request and the response so a report can quote them.
import { Agent, request } from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

export class ApiClient {
  readonly host: string;
  readonly port: number;

  constructor(readonly baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /** A keep-alive agent that opens at most `maxSockets` connections (Infinity for open-loop load). */
  static agent(maxSockets: number): Agent {
    return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256 });
  }

  send(agent: Agent, method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = request({ host: this.host, port: this.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends and requires one of `expect`; otherwise throws with the exchange in the message. */
  async expect(agent: Agent, method: string, path: string, expect: readonly number[], body?: string): Promise<HttpResponse> {
    const res = await this.send(agent, method, path, body);
    if (!expect.includes(res.status)) throw new Error(exchange(method, path, res));
    return res;
  }
}

/** "POST /path -> 500 {...}" with the body cut short: the form failures are reported in. */
export function exchange(method: string, path: string, res: HttpResponse): string {
  const text = res.body.toString('utf8');
  return `${method} ${path} -> ${res.status} ${text.length > 400 ? `${text.slice(0, 400)}...` : text}`;
}

export function parseJson(buf: Buffer): unknown {
  return JSON.parse(buf.toString('utf8'));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metadata.resourceVersion of a parsed object or list, or '' when absent. */
export function resourceVersionOf(v: unknown): string {
  if (!isRecord(v) || !isRecord(v.metadata)) return '';
  const rv = v.metadata.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}
