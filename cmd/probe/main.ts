// probe URL [--timeout MS]: exit 0 when a GET of URL answers 2xx, 1 otherwise (with the reason on
// stderr). The images have no shell or curl, so container healthchecks run this. Docker starts it
// every few seconds in every container, so it stays as light as a Node process can be: node:http
// rather than fetch, whose HTTP stack costs more to load than the request itself.
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { parseArgs } from 'node:util';

/** GETs `url`; resolves with the status and the first part of the body. */
function getOnce(url: URL, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 500) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req = url.protocol === 'https:' ? httpsGet(url, { rejectUnauthorized: false }, onResponse) : httpGet(url, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}

const USAGE = `Usage: probe URL [--timeout MS]
  GET URL; exit 0 on a 2xx answer, 1 otherwise. --timeout defaults to 2000.`;

async function main(): Promise<number> {
  let url: string | undefined;
  let timeoutMs: number;
  try {
    const { values, positionals } = parseArgs({ strict: true, allowPositionals: true, options: { timeout: { type: 'string', default: '2000' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('give exactly one URL');
    url = positionals[0];
    timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`--timeout takes a positive integer, not ${JSON.stringify(values.timeout)}`);
  } catch (err: unknown) {
    process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  try {
    const target = new URL(url!);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported protocol ${target.protocol}`);
    const res = await getOnce(target, timeoutMs);
    if (res.status >= 200 && res.status < 300) return 0;
    process.stderr.write(`probe: ${url} answered ${res.status}: ${res.body.slice(0, 500)}\n`);
  } catch (err: unknown) {
    process.stderr.write(`probe: GET ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return 1;
}

process.exit(await main());
