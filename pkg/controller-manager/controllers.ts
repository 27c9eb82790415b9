// Every controller the controller-manager knows, in upstream's order of names.
import type { ControllerDefinition } from '../controller/framework/index.js';
import { cronJobControllerDefinition } from '../controller/cronjob/index.js';
import { daemonSetControllerDefinition } from '../controller/daemonset/index.js';
import { deploymentControllerDefinition } from '../controller/deployment/index.js';
import { disruptionControllerDefinition } from '../controller/disruption/index.js';
import { endpointsControllerDefinition } from '../controller/endpoint/index.js';
import { endpointSliceControllerDefinition } from '../controller/endpointslice/index.js';
import { endpointSliceMirroringControllerDefinition } from '../controller/endpointslicemirroring/index.js';
import { garbageCollectorControllerDefinition } from '../controller/garbagecollector/index.js';
import { jobControllerDefinition } from '../controller/job/index.js';
import { namespaceControllerDefinition } from '../controller/namespace/index.js';
import { nodeIpamControllerDefinition } from '../controller/nodeipam/index.js';
import { nodeLifecycleControllerDefinition } from '../controller/nodelifecycle/index.js';
import { podGcControllerDefinition } from '../controller/podgc/index.js';
import { replicaSetControllerDefinition } from '../controller/replicaset/index.js';
import { statefulSetControllerDefinition } from '../controller/statefulset/index.js';
import { resourceQuotaControllerDefinition } from '../controller/resourcequota/index.js';
import { serviceAccountControllerDefinition } from '../controller/serviceaccount/index.js';
import { taintEvictionControllerDefinition } from '../controller/tainteviction/index.js';
import { ttlAfterFinishedControllerDefinition } from '../controller/ttlafterfinished/index.js';
import { persistentVolumeBinderControllerDefinition } from '../controller/volume/persistentvolume/index.js';

export const CONTROLLERS: readonly ControllerDefinition[] = [cronJobControllerDefinition, daemonSetControllerDefinition, deploymentControllerDefinition, disruptionControllerDefinition, endpointsControllerDefinition, endpointSliceControllerDefinition, endpointSliceMirroringControllerDefinition, garbageCollectorControllerDefinition, jobControllerDefinition, namespaceControllerDefinition, nodeIpamControllerDefinition, nodeLifecycleControllerDefinition, persistentVolumeBinderControllerDefinition, podGcControllerDefinition, replicaSetControllerDefinition, resourceQuotaControllerDefinition, serviceAccountControllerDefinition, statefulSetControllerDefinition, taintEvictionControllerDefinition, ttlAfterFinishedControllerDefinition];
