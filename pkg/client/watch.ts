// Watch streams: newline-delimited JSON events over a chunked response, decoded into an async
// iterable. Chunk boundaries fall anywhere (mid-line, mid-UTF-8 character); every line must be an
// event, an ERROR event with 410 throws GoneError so the caller relists.
import { fromStatus, GoneError } from '../api/errors.js';
import type { Status } from '../api/meta/v1.js';
import { ConnectionError, WatchDecodeError } from './errors.js';
import type { ResponseStream } from './rest.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: Status };

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const MAX_LINE_IN_MESSAGE = 200;

/** Decodes one line of a watch stream; anything but `{"type": <known>, "object": {...}}` is an error. */
export function decodeWatchLine<T>(line: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err: unknown) {
    throw new WatchDecodeError(`malformed watch event: ${line.slice(0, MAX_LINE_IN_MESSAGE)}`, line, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WatchDecodeError(`watch event is not an object: ${line.slice(0, MAX_LINE_IN_MESSAGE)}`, line);
  }
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
    throw new WatchDecodeError(`unknown watch event type ${JSON.stringify(type)}`, line);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new WatchDecodeError(`watch event ${type} carries no object`, line);
  }
  return { type, object } as WatchEvent<T>;
}

/** Splits a byte or text stream into watch events. Blank lines (keep-alives) are skipped. */
export async function* decodeWatchStream<T>(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let buf = '';
  for await (const chunk of chunks) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = buf.indexOf('\n', start); nl >= 0; nl = buf.indexOf('\n', start)) {
      const line = buf.slice(start, nl).trim();
      start = nl + 1;
      if (line !== '') yield decodeWatchLine<T>(line);
    }
    buf = buf.slice(start);
  }
  buf += decoder.decode();
  // A server may end the last event without a newline; a half-written one still fails to decode.
  if (buf.trim() !== '') yield decodeWatchLine<T>(buf.trim());
}

/** Throws GoneError for an ERROR event announcing an expired resourceVersion. */
export function throwIfGone(ev: WatchEvent<unknown>): void {
  if (ev.type !== 'ERROR') return;
  const s = ev.object;
  const err = fromStatus(s, typeof s.code === 'number' ? s.code : 500);
  if (err instanceof GoneError) throw err;
}

/**
 * An open watch. Iterate it once with `for await`; leaving the loop, close(), or the caller's
 * signal aborting ends the stream and frees the socket. A server closing the stream ends the
 * iteration; a connection lost mid-stream throws ConnectionError.
 */
export class WatchStream<T> implements AsyncIterable<WatchEvent<T>> {
  private iterated = false;
  private closed = false;

  constructor(private readonly stream: ResponseStream) {}

  /** The server this watch is connected to. */
  get server(): string {
    return this.stream.server;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.iterated) throw new Error('a watch stream can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<WatchEvent<T>, void, undefined> {
    try {
      for await (const ev of decodeWatchStream<T>(this.stream.body)) {
        throwIfGone(ev);
        yield ev;
      }
    } catch (err: unknown) {
      // Our own abort (caller signal or close()) is a normal end, not a failure.
      if (this.stream.signal.aborted || this.closed) return;
      if (err instanceof WatchDecodeError || err instanceof GoneError) throw err;
      throw new ConnectionError({ server: this.stream.server, code: errCode(err), maybeSent: true, message: `${this.stream.server}: watch stream interrupted`, cause: err });
    } finally {
      this.close();
    }
  }
}

function errCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'ECONNRESET';
}
