export { BURST_REPLICAS, CONTROLLER_UID_INDEX, ReplicaSetController, podsByControllerUid, replicaSetControllerDefinition } from './replicaset.js';
export { compareForDeletion, podsToDelete } from './ranking.js';
export { computeReplicaSetStatus, statusEqual } from './status.js';
