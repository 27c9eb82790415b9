// probe URL [--timeout MS]: exit 0 when a GET of URL answers 2xx, 1 otherwise (with the reason on
// stderr). The images have no shell or curl, so container healthchecks run this.
import { parseArgs } from 'node:util';

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
    const res = await fetch(url!, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    if (res.ok) return 0;
    process.stderr.write(`probe: ${url} answered ${res.status}: ${body.slice(0, 500)}\n`);
  } catch (err: unknown) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    process.stderr.write(`probe: GET ${url}: ${err instanceof Error ? err.message : String(err)}${cause}\n`);
  }
  return 1;
}

process.exit(await main());
