// Thousands of malformed and hostile requests: every one gets a Kubernetes Status (or a normal
// answer), and the server keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';
import { seededRandom } from '../../helpers/random.js';
import { rawRequest as send } from '../../helpers/raw-http.js';

const PATHS = [
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods/fuzz',
  '/api/v1/namespaces/default/pods/fuzz/status',
  '/api/v1/namespaces/default/pods/fuzz/binding',
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/configmaps/fuzz-cm',
  '/api/v1/namespaces/default/services',
  '/api/v1/namespaces',
  '/api/v1/namespaces/fuzz-ns',
  '/api/v1/namespaces/fuzz-ns/finalize',
  '/api/v1/nodes/fuzz-node',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/apps/v1/namespaces/default/deployments/fuzz/scale',
  '/apis/batch/v1/namespaces/default/jobs',
  '/apis/coordination.k8s.io/v1/namespaces/default/leases/fuzz',
  '/apis/nope/v1/things',
  '/api/v2/pods',
  '/api/v1/watch/namespaces/default/pods',
  '/api/v1/namespaces/%2e%2e/pods',
  '/api/v1/namespaces/default/pods/%00',
  '/' + 'a/'.repeat(300),
  '/api/v1/namespaces/' + 'x'.repeat(5000) + '/pods',
  '/openapi/v3/apis/apps/v1',
  '/version',
  '/apis',
];
const QUERIES = [
  '', '?limit=-1', '?limit=abc', '?continue=garbage', '?continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIvIn0',
  '?resourceVersion=abc', '?resourceVersion=0', '?resourceVersion=99999999999', '?resourceVersionMatch=Exact',
  '?labelSelector=a%20in%20(', '?labelSelector=!!x', '?labelSelector=' + 'a'.repeat(400) + '=b',
  '?fieldSelector=spec.nodeName%3D%3Dx', '?fieldSelector=bogus', '?fieldValidation=Loud', '?dryRun=Some',
  '?watch=1&timeoutSeconds=1', '?watch=1&resourceVersion=1&timeoutSeconds=1', '?gracePeriodSeconds=x', '?propagationPolicy=Sideways',
];
const CONTENT_TYPES = [
  'application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain', 'application/vnd.kubernetes.protobuf', '',
];

function deepJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function body(rand: () => number): string | Buffer {
  const k = Math.floor(rand() * 16);
  switch (k) {
    case 0:
      return '';
    case 1:
      return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
    case 2:
      return '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fuzz"},"spec":{"containers":[{"name":"c","image":"i"}]}}';
    case 3:
      return '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fuzz"},"spec":{"containers":"nope"}}';
    case 4:
      return deepJson(5000);
    case 5:
      return '[' + '1,'.repeat(1000) + '1]';
    case 6:
      return 'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c]\n';
    case 7:
      return '[{"op":"remove","path":"/metadata"},{"op":"add","path":"/x/y/z","value":1}]';
    case 8:
      return '{"metadata":{"name":null,"labels":{"a":{"b":1}}}}';
    case 9:
      return '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-cm","resourceVersion":"-1"},"data":{"k":1}}';
    case 10:
      return '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"fuzz"},"spec":{"replicas":"many","selector":{"matchLabels":{"a":"b"}}}}';
    case 11:
      return '{"kind":"Binding","apiVersion":"v1","metadata":{"name":"fuzz"},"target":{"kind":"Node","name":""}}';
    case 12:
      return '{"spec":{"containers":[{"$patch":"delete"},{"name":{"x":1}}],"$setElementOrder/containers":"oops"}}';
    case 13:
      return '\u0000\u0001{"\ud800":1}';
    case 14:
      return '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fuzz-ns","finalizers":["a","a"]},"spec":{"finalizers":[7]}}';
    default:
      return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x'.repeat(Math.floor(rand() * 400)) } });
  }
}

describe('hostile input', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  test('3000 random malformed requests each get a Status answer and the server stays up', async () => {
    const seed = Number(process.env['KUBETS_FUZZ_SEED'] ?? 20261123);
    const rand = seededRandom(seed);
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (let i = 0; i < 3000; i++) {
      const method = pick(methods);
      const path = pick(PATHS) + pick(QUERIES);
      const ct = pick(CONTENT_TYPES);
      const payload = body(rand);
      if (process.env['KUBETS_FUZZ_TRACE']) process.stderr.write(`case ${i}: ${method} ${path.slice(0, 100)} [${ct}] ${String(payload).slice(0, 80)}\n`);
      const a = await send(c.url, method, path, ct, payload);
      const where = `case ${i} (seed ${seed}): ${method} ${path.slice(0, 120)} [${ct}] -> ${a.status} ${a.text.slice(0, 200)}`;
      assert.ok(a.status >= 200 && a.status < 600, where);
      assert.notEqual(a.status, 500, where);
      if (a.status >= 400 && method !== 'HEAD') {
        let s: { kind?: string; code?: number; status?: string } = {};
        try {
          s = JSON.parse(a.text) as typeof s;
        } catch {
          assert.fail(`not JSON: ${where}`);
        }
        assert.equal(s.kind, 'Status', where);
        assert.equal(s.code, a.status, where);
        assert.equal(s.status, 'Failure', where);
      }
    }
    const health = await send(c.url, 'GET', '/readyz', '', '');
    assert.equal(health.status, 200);
  });
});
