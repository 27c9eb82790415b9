// Loading proto/cri.proto once per process, with the conventions pkg/cri/types.ts describes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ at the root of the checkout (or image): three levels above dist/pkg/cri. */
export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

export interface CriServices {
  readonly RuntimeService: grpc.ServiceClientConstructor;
  readonly ImageService: grpc.ServiceClientConstructor;
}

let loaded: CriServices | undefined;

export function criServices(): CriServices {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(join(PROTO_DIR, 'cri.proto'), LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: CriServices } };
    loaded = pkg.runtime.v1;
  }
  return loaded;
}
