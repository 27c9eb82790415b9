// proto/csi.proto's services (csi.v1).
import type * as grpc from '@grpc/grpc-js';
import { protoServices } from '../grpcutil/proto.js';

export interface CsiServices {
  readonly Identity: grpc.ServiceClientConstructor;
  readonly Controller: grpc.ServiceClientConstructor;
  readonly Node: grpc.ServiceClientConstructor;
}

export const csiServices = (): CsiServices => protoServices<CsiServices>('csi.proto', 'csi.v1');
