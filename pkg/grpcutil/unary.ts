// One unary gRPC call as a promise, the way every kubets gRPC client (CRI, CSI) makes them: a
// deadline on each call, cancelled with its AbortSignal, failures in Go's words (rpc error: code =
// NotFound desc = ...), which users then see in events.
import * as grpc from '@grpc/grpc-js';

/** gRPC code names as Go prints them (NotFound, DeadlineExceeded, Canceled). */
export function goCodeName(code: grpc.status): string {
  const name = grpc.status[code];
  if (name === undefined) return `Code(${code})`;
  if (name === 'CANCELLED') return 'Canceled';
  return name.toLowerCase().replace(/(^|_)([a-z])/g, (_, _u: string, ch: string) => ch.toUpperCase());
}

/** A call that failed: its method, gRPC status code and the server's message. */
export class GrpcCallError extends Error {
  override readonly name: string = 'GrpcCallError';
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`rpc error: code = ${goCodeName(code)} desc = ${details}`);
  }
}

type Unary = (req: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

export interface UnaryCallOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Calls `method` of `client`; rejects with what `fail` makes of a gRPC error, or the signal's reason. */
export function callUnary<R>(client: grpc.Client, method: string, req: unknown, opts: UnaryCallOptions, fail: (method: string, code: grpc.status, details: string) => Error): Promise<R> {
  const fn = (client as unknown as Record<string, Unary>)[method];
  if (fn === undefined) return Promise.reject(new Error(`gRPC method ${method} is not in the service's proto`));
  const deadline = new Date(Date.now() + opts.timeoutMs);
  const signal = opts.signal;
  return new Promise<R>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => call.cancel();
    const call = fn.call(client, req, new grpc.Metadata(), { deadline }, (err, res) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(signal?.aborted ? signal.reason : fail(method, err.code, err.details));
      else resolve(res as R);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
