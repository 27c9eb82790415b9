// Protobuf field numbers of the apps/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.apps.v1.';

export const appsWire: WireGroup = {
  fields: {
    [`${P}ControllerRevision`]: { metadata: 1, data: 2, revision: 3 },
    [`${P}DaemonSet`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}DaemonSetCondition`]: { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
    [`${P}DaemonSetSpec`]: { selector: 1, template: 2, updateStrategy: 3, minReadySeconds: 4, revisionHistoryLimit: 6 },
    [`${P}DaemonSetStatus`]: {
      currentNumberScheduled: 1, numberMisscheduled: 2, desiredNumberScheduled: 3, numberReady: 4, observedGeneration: 5,
      updatedNumberScheduled: 6, numberAvailable: 7, numberUnavailable: 8, collisionCount: 9, conditions: 10,
    },
    [`${P}DaemonSetUpdateStrategy`]: { type: 1, rollingUpdate: 2 },
    [`${P}Deployment`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}DeploymentCondition`]: { type: 1, status: 2, lastUpdateTime: 6, lastTransitionTime: 7, reason: 4, message: 5 },
    [`${P}DeploymentSpec`]: {
      replicas: 1, selector: 2, template: 3, strategy: 4, minReadySeconds: 5, revisionHistoryLimit: 6, paused: 7,
      progressDeadlineSeconds: 9,
    },
    [`${P}DeploymentStatus`]: {
      observedGeneration: 1, replicas: 2, updatedReplicas: 3, readyReplicas: 7, availableReplicas: 4, unavailableReplicas: 5,
      conditions: 6, collisionCount: 8,
    },
    [`${P}DeploymentStrategy`]: { type: 1, rollingUpdate: 2 },
    [`${P}ReplicaSet`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}ReplicaSetCondition`]: { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
    [`${P}ReplicaSetSpec`]: { replicas: 1, minReadySeconds: 4, selector: 2, template: 3 },
    [`${P}ReplicaSetStatus`]: {
      replicas: 1, fullyLabeledReplicas: 2, readyReplicas: 4, availableReplicas: 5, observedGeneration: 3, conditions: 6,
    },
    [`${P}RollingUpdateDaemonSet`]: { maxUnavailable: 1, maxSurge: 2 },
    [`${P}RollingUpdateDeployment`]: { maxUnavailable: 1, maxSurge: 2 },
    [`${P}RollingUpdateStatefulSetStrategy`]: { partition: 1, maxUnavailable: 2 },
    [`${P}StatefulSet`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}StatefulSetCondition`]: { type: 1, status: 2, lastTransitionTime: 3, reason: 4, message: 5 },
    [`${P}StatefulSetOrdinals`]: { start: 1 },
    [`${P}StatefulSetPersistentVolumeClaimRetentionPolicy`]: { whenDeleted: 1, whenScaled: 2 },
    [`${P}StatefulSetSpec`]: {
      replicas: 1, selector: 2, template: 3, volumeClaimTemplates: 4, serviceName: 5, podManagementPolicy: 6, updateStrategy: 7,
      revisionHistoryLimit: 8, minReadySeconds: 9, persistentVolumeClaimRetentionPolicy: 10, ordinals: 11,
    },
    [`${P}StatefulSetStatus`]: {
      observedGeneration: 1, replicas: 2, readyReplicas: 3, currentReplicas: 4, updatedReplicas: 5, currentRevision: 6,
      updateRevision: 7, collisionCount: 9, conditions: 10, availableReplicas: 11,
    },
    [`${P}StatefulSetUpdateStrategy`]: { type: 1, rollingUpdate: 2 },
  },
  keepZero: {
    [`${P}ControllerRevision`]: ['revision'],
    [`${P}DaemonSetCondition`]: ['type', 'status'],
    [`${P}DaemonSetSpec`]: ['revisionHistoryLimit'],
    [`${P}DaemonSetStatus`]: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'collisionCount'],
    [`${P}DeploymentCondition`]: ['type', 'status'],
    [`${P}DeploymentSpec`]: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
    [`${P}DeploymentStatus`]: ['collisionCount'],
    [`${P}ReplicaSetCondition`]: ['type', 'status'],
    [`${P}ReplicaSetSpec`]: ['replicas'],
    [`${P}ReplicaSetStatus`]: ['replicas'],
    [`${P}RollingUpdateStatefulSetStrategy`]: ['partition'],
    [`${P}StatefulSetCondition`]: ['type', 'status'],
    [`${P}StatefulSetOrdinals`]: ['start'],
    [`${P}StatefulSetSpec`]: ['replicas', 'serviceName', 'revisionHistoryLimit'],
    [`${P}StatefulSetStatus`]: ['replicas', 'collisionCount', 'availableReplicas'],
  },
};
