// Loading a service definition from proto/ once per process, with the conventions every kubets
// gRPC client and server shares: camelCase fields, int64 as strings, enums by name, defaults filled
// in, and the set member of each oneof named.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ at the root of the checkout (or image): three levels above dist/pkg/grpcutil. */
export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

const loaded = new Map<string, unknown>();

/** The services of `pkg` (dotted, e.g. runtime.v1) in proto/`file`, loaded on first use. */
export function protoServices<T>(file: string, pkg: string): T {
  const key = `${file}:${pkg}`;
  if (!loaded.has(key)) {
    const definition = protoLoader.loadSync(join(PROTO_DIR, file), LOADER_OPTIONS);
    let node: unknown = grpc.loadPackageDefinition(definition);
    for (const part of pkg.split('.')) node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`package ${pkg} is not in proto/${file}`);
    loaded.set(key, node);
  }
  return loaded.get(key) as T;
}
