// SPDY/3.1 framing, the multiplexing Kubernetes' streaming still speaks where WebSocket does not:
// a CRI runtime's streaming server (containerd's exec, attach and port-forward) and kubectl's
// port-forward. What is here is what those peers use: streams opened with SYN_STREAM and a
// header block, SYN_REPLY, data frames with FIN for a half-close, RST_STREAM, PING answered,
// GOAWAY, WINDOW_UPDATE sent back for what was read. Header blocks are zlib streams — one per
// direction for the whole connection — primed with the protocol's dictionary.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

/** The header compression dictionary of SPDY/3: these words, each with its 32-bit length, then the tail as is (1423 bytes). */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
  '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.flatMap((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return [len, Buffer.from(w, 'latin1')];
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

const VERSION = 3;
const FLAG_FIN = 0x01;
const Type = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
/** RST_STREAM status codes. */
export const RstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 } as const;

export type SpdyHeaders = Record<string, string>;

/** A name/value block as SPDY/3 lays it out (32-bit counts and lengths; names lower-case). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let at = 0;
  const u32 = (): number => {
    if (at + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (n: number): string => {
    if (at + n > block.length) throw new SpdyProtocolError('truncated header block');
    const s = block.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    // Several values of one name are joined by NUL.
    headers[name] = bytes(u32()).split('\0').join(',');
  }
  return headers;
}

export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

/** Runs `fn` on a zlib stream with a sync flush, resolving with exactly what that flush produced. */
function zlibStep(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (chunk: Buffer): void => void out.push(chunk);
    const onError = (err: Error): void => {
      z.off('data', onData);
      reject(err);
    };
    z.on('data', onData);
    z.once('error', onError);
    z.write(input);
    z.flush(zc.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', onError);
      resolve(Buffer.concat(out));
    });
  });
}

/** One stream of a connection: bytes in ('data', then 'end' at the peer's FIN), bytes out (write, end). */
export class SpdyStream extends EventEmitter {
  /** Our side sent FIN. */
  private finSent = false;
  /** The peer sent FIN (or the stream was reset). */
  remoteClosed = false;

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.finSent || data.length === 0) return;
    this.conn.sendData(this.id, data, false);
  }

  /** Half-closes: the peer sees the end of this stream's bytes. */
  end(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.conn.sendData(this.id, Buffer.alloc(0), true);
  }

  reset(status: number = RstStatus.cancel): void {
    this.finSent = true;
    this.conn.sendRst(this.id, status);
    this.closedByPeer();
  }

  /** @internal */
  closedByPeer(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
  }
}

/**
 * A SPDY/3.1 connection over an upgraded socket. A client opens streams with `openStream`;
 * a server hears them as 'stream' events (answered with SYN_REPLY at once). 'close' when the
 * socket goes.
 */
export class SpdyConnection extends EventEmitter {
  private readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  private readonly inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly streams = new Map<number, SpdyStream>();
  private nextId: number;
  private buffered: Buffer = Buffer.alloc(0);
  /** Frames are handled one at a time, in order: header blocks decompress asynchronously. */
  private chain: Promise<void> = Promise.resolve();
  /** Frames are sent in order: their header blocks compress asynchronously. */
  private sendChain: Promise<void> = Promise.resolve();
  private closed = false;

  /** `head`: bytes that came with the upgrade, before the socket's own. */
  constructor(
    private readonly socket: Duplex,
    role: 'client' | 'server',
    head: Buffer = Buffer.alloc(0),
  ) {
    super();
    this.nextId = role === 'client' ? 1 : 2;
    if (head.length > 0) this.received(head);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    // Frames already read are handled before the connection counts as gone.
    const drained = (): void => void this.chain.then(() => this.shutdown());
    socket.on('close', drained);
    socket.on('error', drained);
  }

  /** Opens a stream with `headers` (SYN_STREAM). */
  openStream(headers: SpdyHeaders): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    this.sendControl(Type.synStream, 0, async () => {
      const prefix = Buffer.alloc(10);
      prefix.writeUInt32BE(id, 0);
      prefix.writeUInt32BE(0, 4);
      return Buffer.concat([prefix, await zlibStep(this.deflate, encodeHeaderBlock(headers))]);
    });
    return stream;
  }

  close(): void {
    if (this.closed) return;
    this.sendControl(Type.goAway, 0, async () => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(0, 0);
      b.writeUInt32BE(0, 4);
      return b;
    });
    void this.sendChain.then(() => this.socket.end());
  }

  /** @internal */
  sendData(id: number, data: Buffer, fin: boolean): void {
    this.enqueueSend(async () => {
      const header = Buffer.alloc(8);
      header.writeUInt32BE(id & 0x7fffffff, 0);
      header.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
      return Buffer.concat([header, data]);
    });
  }

  /** @internal */
  sendRst(id: number, status: number): void {
    this.sendControl(Type.rstStream, 0, async () => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(id, 0);
      b.writeUInt32BE(status, 4);
      return b;
    });
  }

  private sendControl(type: number, flags: number, payload: () => Promise<Buffer>): void {
    this.enqueueSend(async () => {
      const body = await payload();
      const header = Buffer.alloc(8);
      header.writeUInt16BE(0x8000 | VERSION, 0);
      header.writeUInt16BE(type, 2);
      header.writeUInt32BE((flags << 24) | body.length, 4);
      return Buffer.concat([header, body]);
    });
  }

  private enqueueSend(frame: () => Promise<Buffer>): void {
    this.sendChain = this.sendChain.then(async () => {
      if (this.closed) return;
      const bytes = await frame();
      if (!this.closed && this.socket.writable) this.socket.write(bytes);
    }).catch((err: unknown) => this.fail(err));
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.chain = this.chain.then(() => this.handle(frame)).catch((err: unknown) => this.fail(err));
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4]!;
    const body = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      if (stream === undefined) return;
      if (body.length > 0) {
        stream.emit('data', Buffer.from(body));
        // Give the window back at once: readers here do not push back.
        const update = Buffer.alloc(8);
        update.writeUInt32BE(id, 0);
        update.writeUInt32BE(body.length, 4);
        this.sendControl(Type.windowUpdate, 0, async () => update);
      }
      if ((flags & FLAG_FIN) !== 0) stream.closedByPeer();
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case Type.synStream: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await zlibStep(this.inflate, body.subarray(10)));
        const stream = new SpdyStream(this, id, headers);
        this.streams.set(id, stream);
        this.sendControl(Type.synReply, 0, async () => {
          const prefix = Buffer.alloc(4);
          prefix.writeUInt32BE(id);
          return Buffer.concat([prefix, await zlibStep(this.deflate, encodeHeaderBlock({}))]);
        });
        this.emit('stream', stream);
        if ((flags & FLAG_FIN) !== 0) stream.closedByPeer();
        return;
      }
      case Type.synReply:
      case Type.headers: {
        // Nothing in a reply's headers is needed, but the shared zlib stream must read them.
        await zlibStep(this.inflate, body.subarray(4));
        if ((flags & FLAG_FIN) !== 0) this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.closedByPeer();
        return;
      }
      case Type.rstStream:
        this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.closedByPeer();
        return;
      case Type.ping:
        this.sendControl(Type.ping, 0, async () => Buffer.from(body));
        return;
      case Type.goAway:
        // No new streams; those open finish, and the peer closes the socket when done.
        return;
      default:
        // SETTINGS, WINDOW_UPDATE: these peers do not need them honoured.
        return;
    }
  }

  private fail(err: unknown): void {
    this.emit('protocolError', err);
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.closedByPeer();
    this.deflate.close();
    this.inflate.close();
    this.socket.destroy();
    this.emit('close');
  }
}
