import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePodTemplateSpec, type Pod, type PodSpec } from '../../../../pkg/api/core/v1/pod.js';
import { FieldPath, errorString } from '../../../../pkg/api/validation/field.js';
import { errors, pod } from './pod-helpers.js';

const c = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'nginx:1.25', ...extra });

const cases: { name: string; pod: Pod; want: string[] }[] = [
  { name: 'a minimal pod is valid', pod: pod(), want: [] },
  {
    name: 'a pod needs at least one container',
    pod: pod({ containers: [] }),
    want: ['spec.containers: Required value'],
  },
  {
    name: 'a container needs an image',
    pod: pod({ containers: [{ name: 'app', image: '' }] }),
    want: ['spec.containers[0].image: Required value'],
  },
  {
    name: 'a container name must be a DNS label',
    pod: pod({ containers: [c({ name: 'App_1' })] }),
    want: [
      'spec.containers[0].name: Invalid value: "App_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    ],
  },
  {
    name: 'container names are unique',
    pod: pod({ containers: [c(), c()] }),
    want: ['spec.containers[1].name: Duplicate value: "app"'],
  },
  {
    name: 'a container port must be in range',
    pod: pod({ containers: [c({ ports: [{ containerPort: 70000 }] })] }),
    want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
  },
  {
    name: 'a port protocol must be TCP, UDP or SCTP',
    pod: pod({ containers: [c({ ports: [{ containerPort: 80, protocol: 'ICMP' }] })] }),
    want: ['spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'host ports may not collide across containers',
    pod: pod({
      containers: [c({ ports: [{ containerPort: 80, hostPort: 8080 }] }), c({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })],
    }),
    want: ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
  },
  {
    name: 'restartPolicy must be one of the three',
    pod: pod({ restartPolicy: 'Sometimes' }),
    want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  },
  {
    name: 'a mount must name a volume of the pod',
    pod: pod({ containers: [c({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }),
    want: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
  },
  {
    name: 'a volume may have only one source',
    pod: pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }] }),
    want: ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
  },
  {
    name: 'a configMap volume needs a name',
    pod: pod({ volumes: [{ name: 'v', configMap: { name: '' } }] }),
    want: ['spec.volumes[0].configMap.name: Required value'],
  },
  {
    name: 'a file mode must fit 0777',
    pod: pod({ volumes: [{ name: 'v', secret: { secretName: 's', defaultMode: 1000 } }] }),
    want: ['spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive'],
  },
  {
    name: 'a liveness probe needs successThreshold 1',
    pod: pod({ containers: [c({ livenessProbe: { httpGet: { port: 80 }, successThreshold: 2 } })] }),
    want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
  },
  {
    name: 'a probe needs a handler',
    pod: pod({ containers: [c({ readinessProbe: { periodSeconds: 5 } })] }),
    want: ['spec.containers[0].readinessProbe: Required value: must specify a handler type'],
  },
  {
    name: 'a probe port name must be a valid port name',
    pod: pod({ containers: [c({ readinessProbe: { tcpSocket: { port: 'HTTP' } } })] }),
    want: [
      'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  },
  {
    name: 'init containers without restartPolicy Always may not have probes',
    pod: pod({ initContainers: [c({ name: 'init', livenessProbe: { exec: { command: ['true'] } } })] }),
    want: ['spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always'],
  },
  {
    name: 'an env var needs exactly one value source',
    pod: pod({ containers: [c({ env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }),
    want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
  },
  {
    name: 'an env fieldRef must use a supported field',
    pod: pod({ containers: [c({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] })] }),
    want: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.hostname": error converting fieldPath: field label not supported: spec.hostname'],
  },
  {
    name: 'requests may not exceed limits',
    pod: pod({ containers: [c({ resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } })] }),
    want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
  },
  {
    name: 'activeDeadlineSeconds must be positive',
    pod: pod({ activeDeadlineSeconds: 0 }),
    want: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
  },
  {
    name: 'dnsPolicy None needs a dnsConfig',
    pod: pod({ dnsPolicy: 'None' }),
    want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
  },
  {
    name: 'a preferred node affinity weight must be 1-100',
    pod: pod({
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [] } }] } },
    }),
    want: ['spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100'],
  },
  {
    name: 'a pod affinity term needs a topology key',
    pod: pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: '' }] } } }),
    want: [
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty',
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ],
  },
  {
    name: 'topology spread constraints need a known whenUnsatisfiable',
    pod: pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] }),
    want: ['spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"'],
  },
  {
    name: 'ephemeral containers cannot be set on create',
    pod: pod({ ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }),
    want: ['spec.ephemeralContainers: Forbidden: cannot be set on create'],
  },
  {
    name: 'a bound pod may not have scheduling gates',
    pod: pod({ nodeName: 'n1', schedulingGates: [{ name: 'example.com/wait' }] }),
    want: ['spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared'],
  },
  {
    name: 'a pod image may not have surrounding whitespace',
    pod: pod({ containers: [c({ image: ' nginx' })] }),
    want: ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
  },
  {
    name: 'a projected service account token needs a service account',
    pod: pod({ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }),
    want: ['spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set'],
  },
  {
    name: 'an ephemeral volume claim needs access modes and a storage request',
    pod: pod({ volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] }),
    want: [
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value: at least 1 access mode is required',
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value',
    ],
  },
  {
    name: 'a toleration with an empty key must use Exists',
    pod: pod({ tolerations: [{ operator: 'Equal', effect: 'NoSchedule' }] }),
    want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
  },
];

for (const tc of cases) {
  test(`pod validation: ${tc.name}`, () => {
    assert.deepEqual(errors(tc.pod), tc.want);
  });
}

test('a pod template may not carry ephemeral containers', () => {
  const spec: PodSpec = {
    containers: [{ name: 'app', image: 'nginx', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    ephemeralContainers: [{ name: 'dbg', image: 'busybox', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }],
  };
  const errs = validatePodTemplateSpec({ metadata: { labels: { app: 'web' } }, spec }, FieldPath.root('spec').child('template')).map(errorString);
  assert.deepEqual(errs, ['spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template']);
});

test('pod template labels must be valid label values', () => {
  const errs = validatePodTemplateSpec(
    {
      metadata: { labels: { app: 'not valid' } },
      spec: { containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    },
    FieldPath.root('spec').child('template'),
  ).map(errorString);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec\.template\.labels: Invalid value: "not valid": a valid label must be an empty string/);
});
