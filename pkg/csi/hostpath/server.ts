// The hostpath driver served as CSI over gRPC on a unix socket: Identity, Controller and Node in
// one process, as upstream's driver runs them.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { csiServices } from '../proto.js';
import { CsiError, HostPathDriver, type HostPathDriverOptions } from './driver.js';

export interface CsiDriverServer {
  /** The address a kubelet or provisioner dials: unix:///path/to/csi.sock. */
  readonly endpoint: string;
  readonly driver: HostPathDriver;
  stop(): Promise<void>;
}

type Request = Record<string, unknown>;

function unary(fn: (req: Request) => unknown): grpc.handleUnaryCall<Request, unknown> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res ?? {}),
        (err: unknown) => callback(err instanceof CsiError ? { code: err.code, details: err.message } : { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
      );
  };
}

/** Serves `driver` on `endpoint` (unix://PATH); resolves once it listens. */
export async function startCsiDriverServer(endpoint: string, options: HostPathDriverOptions): Promise<CsiDriverServer> {
  const driver = new HostPathDriver(options);
  await driver.probe();
  const services = csiServices();
  const server = new grpc.Server();
  server.addService(services.Identity.service, {
    GetPluginInfo: unary(() => driver.pluginInfo()),
    GetPluginCapabilities: unary(() => driver.pluginCapabilities()),
    Probe: unary(() => driver.probe()),
  });
  server.addService(services.Controller.service, {
    CreateVolume: unary((r) => driver.createVolume(r)),
    DeleteVolume: unary((r) => driver.deleteVolume(r)),
    ControllerGetCapabilities: unary(() => driver.controllerCapabilities()),
  });
  server.addService(services.Node.service, {
    NodePublishVolume: unary((r) => driver.nodePublishVolume(r)),
    NodeUnpublishVolume: unary((r) => driver.nodeUnpublishVolume(r)),
    NodeGetCapabilities: unary(() => driver.nodeCapabilities()),
    NodeGetInfo: unary(() => driver.nodeInfo()),
  });
  const path = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : undefined;
  if (path !== undefined) {
    mkdirSync(dirname(path), { recursive: true });
    // A socket left by a process that died: nothing listens on it any more.
    rmSync(path, { force: true });
  }
  await new Promise<void>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return {
    endpoint,
    driver,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
