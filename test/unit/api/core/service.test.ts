import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareServiceForUpdate, serviceResource, type Service } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';
import { isDNS1123Label } from '../../../../pkg/api/validation/names.js';

const def = serviceResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<Service['spec']>;

function service(spec: Partial<Spec> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

function defaulted(obj: Service): Service {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function created(obj: Service): Service {
  defaulted(obj);
  def.prepareForCreate!(obj);
  return obj;
}

function errors(obj: Service): string[] {
  created(obj);
  return [...validateSchema(obj, schema), ...def.validate!(obj)].map(errorString);
}

function updateErrors(obj: Service, old: Service): string[] {
  defaulted(obj);
  prepareServiceForUpdate(obj, old);
  return [...validateSchema(obj, schema), ...def.validateUpdate!(obj, old)].map(errorString);
}

test('a service gets ClusterIP type, no affinity, TCP ports targeting the same port, and a Cluster internal policy', () => {
  const s = defaulted(service()).spec!;
  assert.equal(s.type, 'ClusterIP');
  assert.equal(s.sessionAffinity, 'None');
  assert.deepEqual(s.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(s.internalTrafficPolicy, 'Cluster');
  assert.equal(s.externalTrafficPolicy, undefined);
  assert.equal(s.allocateLoadBalancerNodePorts, undefined);
});

test('externally reachable services get a Cluster external policy; load balancers also allocate node ports', () => {
  assert.equal(defaulted(service({ type: 'NodePort' })).spec!.externalTrafficPolicy, 'Cluster');
  const lb = defaulted(service({ type: 'LoadBalancer' })).spec!;
  assert.equal(lb.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.allocateLoadBalancerNodePorts, true);
  assert.equal(defaulted(service({ externalIPs: ['203.0.113.5'] })).spec!.externalTrafficPolicy, 'Cluster');
});

test('client-IP affinity gets a three-hour timeout, and no affinity drops a stray config', () => {
  assert.deepEqual(defaulted(service({ sessionAffinity: 'ClientIP' })).spec!.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.equal(defaulted(service({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } })).spec!.sessionAffinityConfig, undefined);
});

test('a named target port is kept', () => {
  assert.equal(defaulted(service({ ports: [{ port: 80, targetPort: 'http' }] })).spec!.ports![0]!.targetPort, 'http');
});

test('create clears the status and mirrors clusterIP into clusterIPs', () => {
  const svc = created({ ...service({ clusterIP: '10.96.0.10' }), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } });
  assert.deepEqual(svc.status, { loadBalancer: {} });
  assert.deepEqual(svc.spec!.clusterIPs, ['10.96.0.10']);
});

const labelMsg = (v: string): string => isDNS1123Label(v)[0]!;

const cases: { name: string; obj: () => Service; want: string[] }[] = [
  { name: 'a plain service is valid', obj: () => service(), want: [] },
  { name: 'a headless service without ports is valid', obj: () => service({ clusterIP: 'None', ports: [] }), want: [] },
  { name: 'a service needs ports', obj: () => service({ ports: [] }), want: ['spec.ports: Required value'] },
  {
    name: 'every port needs a name when there are several',
    obj: () => service({ ports: [{ port: 80 }, { port: 443 }] }),
    want: ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
  },
  {
    name: 'port names are unique DNS labels',
    obj: () => service({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { name: 'Web_1', port: 82 }] }),
    want: ['spec.ports[1].name: Duplicate value: "http"', `spec.ports[2].name: Invalid value: "Web_1": ${labelMsg('Web_1')}`],
  },
  {
    name: 'ports (and so the defaulted target port) must be in range',
    obj: () => service({ ports: [{ port: 70000 }] }),
    want: ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
  },
  { name: 'named target ports must be IANA service names', obj: () => service({ ports: [{ port: 80, targetPort: 'http_web' }] }), want: ['spec.ports[0].targetPort: Invalid value: "http_web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'] },
  {
    name: 'the protocol must be TCP, UDP or SCTP',
    obj: () => service({ ports: [{ port: 80, protocol: 'HTTP' }] }),
    want: ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'the same port may not appear twice for one protocol',
    obj: () => service({ ports: [{ name: 'a', port: 53 }, { name: 'b', port: 53 }, { name: 'c', port: 53, protocol: 'UDP' }] }),
    want: ['spec.ports[1]: Duplicate value: {"protocol":"TCP","port":53}'],
  },
  {
    name: 'node ports are forbidden on ClusterIP services',
    obj: () => service({ ports: [{ port: 80, nodePort: 30080 }] }),
    want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  },
  {
    name: 'node ports may not repeat',
    obj: () => service({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }),
    want: ['spec.ports[1].nodePort: Duplicate value: 30080'],
  },
  {
    name: 'the type must be known',
    obj: () => service({ type: 'Internal' }),
    want: ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  },
  { name: 'an ExternalName service needs a name', obj: () => service({ type: 'ExternalName', ports: [] }), want: ['spec.externalName: Required value'] },
  { name: 'an ExternalName may end with a dot', obj: () => service({ type: 'ExternalName', externalName: 'db.example.com.' }), want: [] },
  {
    name: 'an ExternalName service may not have a cluster IP',
    obj: () => service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.0.0.1' }),
    want: ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
  },
  {
    name: 'NodePort services cannot be headless',
    obj: () => service({ type: 'NodePort', clusterIP: 'None' }),
    want: ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
  },
  {
    name: 'cluster IPs must be addresses',
    obj: () => service({ clusterIP: '10.0.0.300' }),
    want: ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  },
  {
    name: 'clusterIPs must start with clusterIP',
    obj: () => service({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] }),
    want: ['spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`'],
  },
  {
    name: 'two cluster IPs must be of different families',
    obj: () => service({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '10.0.0.2'] }),
    want: ['spec.clusterIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family'],
  },
  {
    name: 'external IPs may not be loopback addresses',
    obj: () => service({ externalIPs: ['127.0.0.1'] }),
    want: ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  },
  {
    name: 'source ranges are only for load balancers, and must be CIDRs',
    obj: () => service({ loadBalancerSourceRanges: ['10.0.0.0/8', 'nope'] }),
    want: [
      "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
      'spec.LoadBalancerSourceRanges[1]: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ],
  },
  {
    name: 'a Local external policy on a load balancer needs a health-check port (the allocator sets it)',
    obj: () => service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }),
    want: ['spec.healthCheckNodePort: Required value'],
  },
  {
    name: 'an external policy is only for externally reachable services',
    obj: () => service({ externalTrafficPolicy: 'Local' }),
    want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  },
  {
    name: 'a load-balancer class is only for load balancers',
    obj: () => service({ loadBalancerClass: 'example.com/lb' }),
    want: ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  },
  {
    name: 'the selector must hold valid labels',
    obj: () => service({ selector: { app: 'a b' } }),
    want: [
      "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  },
  {
    name: 'client-IP affinity timeouts are at most a day',
    obj: () => service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
    want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
  },
];

for (const tc of cases) {
  test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));
}

function stored(spec: Partial<Spec>): Service {
  const svc = created(service(spec));
  svc.metadata = { ...svc.metadata, resourceVersion: '5' };
  return svc;
}

test('an update that omits allocated values gets them back from the stored service', () => {
  const old = stored({ type: 'NodePort', clusterIP: '10.0.0.7', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  const next = service({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] });
  assert.deepEqual(updateErrors(next, old), []);
  assert.equal(next.spec!.clusterIP, '10.0.0.7');
  assert.deepEqual(next.spec!.clusterIPs, ['10.0.0.7']);
  assert.equal(next.spec!.ports![0]!.nodePort, 30080);
});

test('the cluster IP cannot change once set', () => {
  const old = stored({ clusterIP: '10.0.0.1' });
  assert.deepEqual(updateErrors(service({ clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2'] }), old), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.0.0.2"}: may not change once set',
  ]);
});

test('switching from NodePort to ClusterIP drops the node ports and the external policy', () => {
  const old = stored({ type: 'NodePort', clusterIP: '10.0.0.7', ports: [{ port: 80, nodePort: 30080 }] });
  old.spec!.externalTrafficPolicy = 'Cluster';
  const next = structuredClone(old);
  next.spec!.type = 'ClusterIP';
  assert.deepEqual(updateErrors(next, old), []);
  assert.equal(next.spec!.ports![0]!.nodePort, undefined);
  assert.equal(next.spec!.externalTrafficPolicy, undefined);
});

test('switching to ExternalName releases the cluster IPs', () => {
  const old = stored({ clusterIP: '10.0.0.7' });
  const next = structuredClone(old);
  next.spec = { ...next.spec!, type: 'ExternalName', externalName: 'db.example.com' };
  delete next.spec.internalTrafficPolicy;
  assert.deepEqual(updateErrors(next, old), []);
  assert.equal(next.spec.clusterIP, undefined);
});

const tableCases: { name: string; obj: () => Service; want: unknown[] }[] = [
  {
    name: 'a ClusterIP service shows its IP, no external IP and its ports',
    obj: () => service({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
    want: ['web', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '60m', 'app=web'],
  },
  {
    name: 'a NodePort service shows port:nodePort',
    obj: () => service({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
    want: ['web', 'NodePort', '10.96.0.11', '<none>', '80:30080/TCP', '60m', 'app=web'],
  },
  {
    name: 'a load balancer without an address is pending',
    obj: () => service({ type: 'LoadBalancer', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }], selector: {} }),
    want: ['web', 'LoadBalancer', '<none>', '<pending>', '443:31443/TCP', '60m', '<none>'],
  },
  {
    name: 'an ExternalName service shows the name and no ports',
    obj: () => service({ type: 'ExternalName', externalName: 'db.example.com', ports: [] }),
    want: ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m', 'app=web'],
  },
];

for (const tc of tableCases) {
  test(tc.name, () => assert.deepEqual(def.table!.cells(tc.obj(), now), tc.want));
}

test('load-balancer addresses come sorted, before the external IPs', () => {
  const svc: Service = { ...service({ type: 'LoadBalancer', externalIPs: ['198.51.100.1'] }), status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } } };
  assert.equal(def.table!.cells(svc, now)[3], '203.0.113.9,lb.example.com,198.51.100.1');
});

test('services can be selected by type and cluster IP', () => {
  const svc = service({ type: 'NodePort', clusterIP: '10.0.0.3' });
  assert.equal(def.fieldSelectors!['spec.type']!(svc), 'NodePort');
  assert.equal(def.fieldSelectors!['spec.clusterIP']!(svc), '10.0.0.3');
});
