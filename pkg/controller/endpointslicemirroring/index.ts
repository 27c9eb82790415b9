export { EndpointSliceMirroringController, endpointSliceMirroringControllerDefinition, mirroredSlices, MIRRORING_MANAGED_BY, shouldMirror, SKIP_MIRROR_LABEL } from './endpointslicemirroring.js';
