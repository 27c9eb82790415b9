export { BURST_REPLICAS, ReplicaSetController, replicaSetControllerDefinition } from './replicaset.js';
export { compareForDeletion, podsToDelete } from './ranking.js';
export { computeReplicaSetStatus, statusEqual } from './status.js';
