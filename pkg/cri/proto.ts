// proto/cri.proto's services (runtime.v1), with the conventions pkg/cri/types.ts describes.
import type * as grpc from '@grpc/grpc-js';
import { protoServices } from '../grpcutil/proto.js';

export interface CriServices {
  readonly RuntimeService: grpc.ServiceClientConstructor;
  readonly ImageService: grpc.ServiceClientConstructor;
}

export const criServices = (): CriServices => protoServices<CriServices>('cri.proto', 'runtime.v1');
