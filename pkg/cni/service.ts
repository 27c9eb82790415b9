// The CNI gRPC service (proto/cni.proto): a server over one backend on a node's socket, and the
// client the `kubets` CNI plugin (and tests) call it with. CNI errors cross as gRPC status
// details carrying CNI's code and message.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { protoServices } from '../grpcutil/proto.js';
import { callUnary, GrpcCallError } from '../grpcutil/unary.js';
import { CniError, type CniBackend, type CniRequest, type CniResult } from './backend.js';

const services = (): { CNI: grpc.ServiceClientConstructor } => protoServices<{ CNI: grpc.ServiceClientConstructor }>('cni.proto', 'kubets.cni.v1');

interface WireRequest {
  containerId: string;
  netns: string;
  ifname: string;
  args: Record<string, string>;
  runtimeConfigJson: string;
}

const fromWire = (r: WireRequest): CniRequest => ({
  containerId: r.containerId,
  netns: r.netns,
  ifname: r.ifname,
  args: r.args ?? {},
  ...(r.runtimeConfigJson !== '' ? { runtimeConfig: JSON.parse(r.runtimeConfigJson) as Record<string, unknown> } : {}),
});

/** CNI's error code travels in the message as "[code] message". */
const toStatus = (err: unknown): Partial<grpc.StatusObject> =>
  err instanceof CniError ? { code: grpc.status.UNKNOWN, details: `[${err.code}] ${err.message}` } : { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };

export function fromCallError(err: unknown): CniError {
  if (err instanceof GrpcCallError) {
    const m = /^\[(\d+)\] ([\s\S]*)$/.exec(err.details);
    return m !== null ? new CniError(Number(m[1]), m[2]!) : new CniError(11, `the CNI service failed: ${err.details}`);
  }
  return new CniError(999, err instanceof Error ? err.message : String(err));
}

export interface CniServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startCniServer(endpoint: string, backend: CniBackend): Promise<CniServer> {
  const server = new grpc.Server();
  const unary = <R>(fn: (req: WireRequest) => Promise<R>): grpc.handleUnaryCall<WireRequest, R> => (call, cb) => {
    fn(call.request).then((res) => cb(null, res), (err: unknown) => cb(toStatus(err)));
  };
  server.addService(services().CNI.service, {
    Add: unary((r) => backend.add(fromWire(r))),
    Del: unary(async (r) => {
      await backend.del(fromWire(r));
      return {};
    }),
    Check: unary(async (r) => {
      await backend.check(fromWire(r));
      return {};
    }),
    Status: unary(() => backend.status()),
  });
  if (endpoint.startsWith('unix://')) {
    const path = endpoint.slice('unix://'.length);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
  }
  await new Promise<void>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return { endpoint, stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

export class CniClient {
  private readonly client: grpc.Client;

  constructor(endpoint: string, private readonly timeoutMs = 120_000) {
    this.client = new (services().CNI)(endpoint, grpc.credentials.createInsecure());
  }

  private call<R>(method: string, req: CniRequest | Record<string, never>): Promise<R> {
    const wire = 'containerId' in req ? { containerId: req.containerId, netns: req.netns, ifname: req.ifname, args: req.args, runtimeConfigJson: req.runtimeConfig !== undefined ? JSON.stringify(req.runtimeConfig) : '' } : {};
    return callUnary<R>(this.client, method, wire, { timeoutMs: this.timeoutMs }, (m, code, details) => new GrpcCallError(m, code, details)).catch((err: unknown) => {
      throw fromCallError(err);
    });
  }

  add(req: CniRequest): Promise<CniResult> {
    return this.call('Add', req);
  }

  async del(req: CniRequest): Promise<void> {
    await this.call('Del', req);
  }

  async check(req: CniRequest): Promise<void> {
    await this.call('Check', req);
  }

  status(): Promise<{ ready: boolean; message: string }> {
    return this.call('Status', {});
  }

  close(): void {
    this.client.close();
  }
}
