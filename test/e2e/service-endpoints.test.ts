// A Service's endpoints as kubectl shows them on `npm start`: kubectl expose gives a Deployment's
// running pods as Endpoints and EndpointSlices, they follow a scale-down and a pod that is not
// ready, kubectl describe service lists them, and they go with the Service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const UNREADY = `apiVersion: v1
kind: Pod
metadata:
  name: unready
  labels: { app: web }
spec:
  containers:
  - name: web
    image: nginx:1.27
    readinessProbe:
      exec: { command: ["false"] }
      periodSeconds: 1
`;

const EXTERNAL = `apiVersion: v1
kind: Service
metadata:
  name: external-db
spec:
  ports:
  - { name: pg, port: 5432 }
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-db
  labels: { team: data }
subsets:
- addresses: [{ ip: 192.168.10.5 }, { ip: 192.168.10.6 }]
  notReadyAddresses: [{ ip: 192.168.10.7 }]
  ports:
  - { name: pg, port: 5432 }
`;

describe('service endpoints', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  const get = (what: string, path: string): string => c.kubectlOk(['get', ...what.split(' '), '-o', `jsonpath=${path}`]).trim();
  const sorted = (s: string): string => s.split(/\s+/).filter((x) => x !== '').sort().join(' ');

  test('kubectl expose: Endpoints and EndpointSlices list the running pods, follow a scale-down and an unready pod, and go with the Service', async () => {
    c.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
    assert.match(c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    c.kubectlOk(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    const podIps = (): string => sorted(get('pods -l app=web --field-selector=status.phase=Running', '{.items[*].status.podIP}'));
    const want = podIps();
    assert.equal(want.split(' ').length, 3);
    await pollUntil('Endpoints with the three pods', () => (sorted(get('endpoints web', '{.subsets[*].addresses[*].ip}')) === want ? true : undefined), 30_000, 500);
    assert.equal(get('endpoints web', '{.subsets[0].ports[0].port}'), '8080');
    assert.match(c.kubectlOk(['get', 'endpoints', 'web']), /web\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\s/);
    await pollUntil('an EndpointSlice with the three pods ready', () => (sorted(get('endpointslices -l kubernetes.io/service-name=web', '{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}')) === want ? true : undefined), 30_000, 500);
    assert.equal(get('endpointslices -l kubernetes.io/service-name=web', '{.items[*].metadata.labels.endpointslice\\.kubernetes\\.io/managed-by}'), 'endpointslice-controller.k8s.io');
    assert.match(c.kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']), /web-\w+\s+IPv4\s+8080\s+10\.244\./);
    assert.match(c.kubectlOk(['describe', 'service', 'web']), /Endpoints:\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080/);

    // A pod that never passes its readiness probe: listed, but not ready.
    c.kubectlOk(['apply', '-f', '-'], { input: UNREADY });
    await pollUntil('the unready pod under notReadyAddresses', () => (get('endpoints web', '{.subsets[*].notReadyAddresses[*].targetRef.name}') === 'unready' ? true : undefined), 60_000, 500);
    const unreadyIp = get('pod unready', '{.status.podIP}');
    await pollUntil('the unready pod in the slice, not ready', () => (get('endpointslices -l kubernetes.io/service-name=web', '{.items[*].endpoints[?(@.conditions.ready==false)].addresses[0]}') === unreadyIp ? true : undefined), 30_000, 500);
    c.kubectlOk(['delete', 'pod', 'unready', '--wait=false']);

    // Scale down: the Endpoints keep the one pod left.
    c.kubectlOk(['scale', 'deployment', 'web', '--replicas=1']);
    await pollUntil('Endpoints with one pod', () => {
      const ips = get('endpoints web', '{.subsets[*].addresses[*].ip} {.subsets[*].notReadyAddresses[*].ip}');
      return sorted(ips).split(' ').length === 1 && sorted(ips) === podIps() ? true : undefined;
    }, 60_000, 500);

    c.kubectlOk(['delete', 'service', 'web']);
    await pollUntil('Endpoints gone', () => (c.kubectl(['get', 'endpoints', 'web']).code !== 0 ? true : undefined), 30_000, 500);
    await pollUntil('EndpointSlices gone', () => (get('endpointslices -l kubernetes.io/service-name=web', '{.items[*].metadata.name}') === '' ? true : undefined), 30_000, 500);
  });

  test("a Service without a selector: the user's Endpoints are mirrored into an EndpointSlice, which follows them and goes with them", async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: EXTERNAL });
    const slices = (): string => get('endpointslices -l kubernetes.io/service-name=external-db', '{range .items[*]}{.metadata.labels.endpointslice\\.kubernetes\\.io/managed-by} {.metadata.ownerReferences[0].kind} {.metadata.labels.team} {.ports[0].name}:{.ports[0].port} {range .endpoints[*]}{.addresses[0]}={.conditions.ready},{end};{end}');
    await pollUntil('the mirrored slice', () => (slices() === 'endpointslicemirroring-controller.k8s.io Endpoints data pg:5432 192.168.10.5=true,192.168.10.6=true,192.168.10.7=false,;' ? true : undefined), 30_000, 250);
    c.kubectlOk(['patch', 'endpoints', 'external-db', '--type=json', '-p', '[{"op":"remove","path":"/subsets/0/notReadyAddresses"}]']);
    await pollUntil('the slice following the Endpoints', () => (slices().endsWith(' 192.168.10.5=true,192.168.10.6=true,;') ? true : undefined), 30_000, 250);
    c.kubectlOk(['label', 'endpoints', 'external-db', 'endpointslice.kubernetes.io/skip-mirror=true']);
    await pollUntil('no slice once the Endpoints opt out', () => (slices() === '' ? true : undefined), 30_000, 250);
    c.kubectlOk(['label', 'endpoints', 'external-db', 'endpointslice.kubernetes.io/skip-mirror-']);
    await pollUntil('mirrored again', () => (slices() !== '' ? true : undefined), 30_000, 250);
    c.kubectlOk(['delete', 'endpoints', 'external-db']);
    await pollUntil('the slice gone with the Endpoints', () => (slices() === '' ? true : undefined), 30_000, 250);
  });
});
