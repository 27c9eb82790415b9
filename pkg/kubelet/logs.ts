// Container logs as `kubectl logs` reads them: the CRI log file of a container (lines of
// "<RFC3339Nano> <stream> <P|F> <text>", partial lines joined), filtered by sinceSeconds/sinceTime,
// cut to tailLines and limitBytes, with or without timestamps, and followed until the container
// exits or the client goes away.
import { open, readFile, stat } from 'node:fs/promises';
import type { Clock } from '../client/clock.js';

export interface LogOptions {
  readonly follow: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly limitBytes?: number;
  /** Only lines at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
}

export interface LogLine {
  readonly time: string;
  readonly stream: string;
  readonly text: string;
}

/** Parses CRI log text into whole lines (a P tag continues on the next line of the same stream). */
export function parseCriLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  const partial = new Map<string, { time: string; text: string }>();
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(raw);
    if (!m) continue;
    const [, time, stream, tag, body] = m as unknown as [string, string, string, string, string];
    const before = partial.get(stream);
    if (tag === 'P') {
      partial.set(stream, { time: before?.time ?? time, text: (before?.text ?? '') + body });
      continue;
    }
    partial.delete(stream);
    out.push({ time: before?.time ?? time, stream, text: (before?.text ?? '') + body });
  }
  return out;
}

export function formatLines(lines: readonly LogLine[], opts: Pick<LogOptions, 'timestamps'>): string {
  return lines.map((l) => (opts.timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`)).join('');
}

/** The lines `opts` selects from a whole log. */
export function selectLines(lines: readonly LogLine[], opts: LogOptions): LogLine[] {
  let picked = opts.sinceMs === undefined ? [...lines] : lines.filter((l) => Date.parse(l.time) >= opts.sinceMs!);
  if (opts.tailLines !== undefined) picked = opts.tailLines === 0 ? [] : picked.slice(-opts.tailLines);
  return picked;
}

export interface LogSink {
  write(text: string): boolean | Promise<boolean>;
}

/**
 * Writes the log at `path` to `sink`; with follow, keeps reading what is appended until
 * `running()` turns false (then drains the rest) or `signal` aborts.
 */
export async function streamLog(path: string, opts: LogOptions, sink: LogSink, running: () => Promise<boolean>, clock: Clock, signal: AbortSignal): Promise<void> {
  let text = await readFile(path, 'utf8').catch(() => '');
  let offset = Buffer.byteLength(text);
  let budget = opts.limitBytes ?? Infinity;
  const emit = async (lines: readonly LogLine[]): Promise<boolean> => {
    let out = formatLines(lines, opts);
    if (out === '') return budget > 0;
    if (Buffer.byteLength(out) > budget) out = Buffer.from(out).subarray(0, budget).toString();
    budget -= Buffer.byteLength(out);
    await sink.write(out);
    return budget > 0;
  };
  // Keep an unfinished last line for the next read.
  const complete = (t: string): [string, string] => {
    const end = t.lastIndexOf('\n');
    return end < 0 ? ['', t] : [t.slice(0, end + 1), t.slice(end + 1)];
  };
  let [whole, rest] = complete(text);
  if (!(await emit(selectLines(parseCriLog(whole), opts))) || !opts.follow) return;
  const follow: LogOptions = { ...opts, tailLines: undefined };
  while (!signal.aborted) {
    const alive = await running();
    const size = (await stat(path).catch(() => undefined))?.size ?? offset;
    if (size > offset) {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        offset = size;
        text = rest + buf.toString('utf8');
      } finally {
        await fh.close();
      }
      [whole, rest] = complete(text);
      if (!(await emit(selectLines(parseCriLog(whole), follow)))) return;
    }
    if (!alive && size <= offset) return;
    await clock.sleep(200, signal).catch(() => undefined);
  }
}
