// Hostile input by class: generated paths, escapes, numbers, patches, continue tokens, watch
// parameters and bodies, each answered with the Status kube-apiserver v1.32 gives, nothing in etcd
// changed by a refused request, the server still ready after every class, and a leader-elected
// scheduler in its own process still leading in the same term.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';
import { seededRandom } from '../../helpers/random.js';
import { rawRequest, type RawAnswer } from '../../helpers/raw-http.js';

const NS = 'hostile';
const SCHEDULER_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cmd', 'scheduler', 'main.js');
/** The scheduler of pods this suite creates: not the one it runs, which would write Events. */
const NOT_OURS = 'hostile-suite-scheduler';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
}

interface StatusBody {
  kind?: string;
  code?: number;
  status?: string;
  reason?: string;
  message?: string;
  metadata?: { continue?: string };
}

function statusOf(a: RawAnswer, where: string): StatusBody {
  let s: StatusBody;
  try {
    s = JSON.parse(a.text) as StatusBody;
  } catch {
    return assert.fail(`not JSON: ${where}: ${a.text.slice(0, 200)}`);
  }
  assert.equal(s.kind, 'Status', where);
  assert.equal(s.code, a.status, where);
  return s;
}

describe('hostile input by class', () => {
  let c: TestCluster;
  let etcd: Etcd3;
  const rand = seededRandom(Number(process.env['KUBETS_FUZZ_SEED'] ?? 20261206));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  /** A leader-elected scheduler in a process of its own: a stalled apiserver would depose it. */
  let scheduler: ChildProcess;
  let leader: LeaseSpec = {};
  const lease = async (): Promise<LeaseSpec> => {
    const a = await req('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
    return a.status === 200 ? ((JSON.parse(a.text) as { spec?: LeaseSpec }).spec ?? {}) : {};
  };

  /**
   * Every key under /registry with its modRevision: equal snapshots mean nothing was written.
   * Lease renewals are the leaders' writes, not the requests', and are left out.
   */
  const snapshot = async (): Promise<Map<string, string>> => {
    const res = await etcd.getAll().prefix('/registry/').exec();
    return new Map(res.kvs.filter((kv) => !kv.key.toString().startsWith('/registry/coordination.k8s.io/leases/')).map((kv) => [kv.key.toString(), kv.mod_revision]));
  };
  const req = (method: string, path: string, body: unknown = '', contentType = 'application/json', headers: Record<string, string> = {}): Promise<RawAnswer> =>
    rawRequest(c.url, method, path, body === '' ? '' : contentType, typeof body === 'string' ? body : JSON.stringify(body), headers);

  /** Runs a class of requests, each expected to be refused, and checks etcd did not move and the server is ready. */
  const refusedClass = async (cases: { method: string; path: string; body?: unknown; contentType?: string; code: number | ((code: number) => boolean); message?: RegExp }[]): Promise<void> => {
    const before = await snapshot();
    for (const k of cases) {
      const a = await req(k.method, k.path, k.body ?? '', k.contentType);
      const where = `${k.method} ${k.path.slice(0, 160)} ${String(typeof k.body === 'string' ? k.body : JSON.stringify(k.body ?? '')).slice(0, 160)} -> ${a.status} ${a.text.slice(0, 300)}`;
      if (typeof k.code === 'number') assert.equal(a.status, k.code, where);
      else assert.ok(k.code(a.status), where);
      assert.ok(a.status < 500, where);
      if (k.method !== 'HEAD') {
        const s = statusOf(a, where);
        if (k.message) assert.match(s.message ?? '', k.message, where);
      }
    }
    assert.deepEqual(await snapshot(), before, 'a refused request changed etcd');
    const ready = await req('GET', '/readyz');
    assert.equal(ready.status, 200);
  };

  before(async () => {
    c = await startApiServer();
    etcd = new Etcd3({ hosts: c.etcd.url });
    assert.equal((await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
    for (const name of ['a', 'b', 'c']) {
      assert.equal((await req('POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } })).status, 201);
    }
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    assert.equal((await req('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deploy)).status, 201);
    scheduler = spawn(process.execPath, [SCHEDULER_MAIN, `--master=${c.url}`, '--secure-port=-1', '--log-level=warn'], { stdio: 'ignore' });
    process.once('exit', () => scheduler.kill('SIGKILL'));
    for (let i = 0; i < 120 && !leader.holderIdentity; i++) {
      await sleep(250);
      leader = await lease();
    }
    assert.ok(leader.holderIdentity, 'the scheduler never took its Lease');
  });
  // A request that held the apiserver past the renew deadline (1.5 s) would have cost the leader
  // its term: it stops acting and, even when it takes its own Lease back, starts a new term
  // (leaseTransitions is the fencing token). A 3 s stall fails this check.
  afterEach(async () => {
    assert.equal(scheduler.exitCode, null, 'the leading scheduler exited');
    const now = await lease();
    assert.equal(now.holderIdentity, leader.holderIdentity, 'the leader changed');
    assert.equal(now.leaseTransitions, leader.leaseTransitions, 'the leader lost its term: a request held the apiserver past the renew deadline');
  });
  after(async () => {
    scheduler.kill('SIGTERM');
    etcd.close();
    await c.stop();
  });

  test('paths: dot segments and names holding / or % are 400 "Name parameter invalid" for every verb, and touch nothing', async () => {
    const bases = [`/api/v1/namespaces/${NS}/configmaps`, `/apis/apps/v1/namespaces/${NS}/deployments`, '/api/v1/namespaces', '/api/v1/nodes'];
    const names = ['.', '..', '%2e', '%2E', '%2e%2e', '.%2E', '%2E.', 'a%2Fb', '%2F', '..%2F..', 'x%25y', '%25'];
    const cases = [];
    for (const base of bases) {
      for (const name of names) {
        for (const method of ['GET', 'DELETE', 'PUT', 'PATCH']) {
          const body = method === 'PATCH' ? '{}' : method === 'PUT' ? '{"metadata":{"name":"x"}}' : '';
          const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
          cases.push({ method, path: `${base}/${name}`, body, contentType, code: 400, message: /^Name parameter invalid: ".*": may not (be|contain) '[./%]+'/ });
          cases.push({ method, path: `${base}/${name}/status`, body, contentType, code: 400, message: /^Name parameter invalid/ });
        }
      }
    }
    await refusedClass(cases);
    // The objects those paths aimed at are all still there.
    const list = JSON.parse((await req('GET', `/api/v1/namespaces/${NS}/configmaps`)).text) as { items: unknown[] };
    assert.equal(list.items.length, 3);
  });

  test('escapes: malformed percent-escapes anywhere in the path are 400, never 500', async () => {
    const bad = ['%zz', '%', '%E0%A4%A', '%C0', '%ED%A0%80', 'a%', '%g0', '%%'];
    const templates = ['/api/v1/namespaces/X/configmaps', `/api/v1/namespaces/${NS}/configmaps/X`, '/apis/X/v1/things', '/api/v1/X', '/X', '/readyz/X', '/openapi/v3/X'];
    const cases = [];
    for (let i = 0; i < 400; i++) {
      const path = pick(templates).replace('X', pick(['', 'a', 'b-']) + pick(bad) + pick(['', 'z']));
      cases.push({ method: pick(['GET', 'DELETE', 'PUT', 'PATCH', 'POST']), path, body: '{}', code: 400, message: /invalid URL escape/ });
    }
    await refusedClass(cases);
  });

  test('numbers: integers Go cannot decode into int32/int64 (overflow, 2.0, 1e2) are 400 on create, update and patch', async () => {
    const values = ['2147483648', '-2147483649', '9223372036854775808', '1e2', '2.0', '1.5', '1E+2', '-0.0', '4294967296'];
    const deployment = (replicas: string, name: string): string =>
      `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`;
    const cases = [];
    for (const v of values) {
      const m = new RegExp(`cannot unmarshal number ${v.replace(/[.+]/g, '\\$&')} into Go struct field DeploymentSpec.spec.replicas of type int32`);
      cases.push({ method: 'POST', path: `/apis/apps/v1/namespaces/${NS}/deployments`, body: deployment(v, 'num'), code: 400, message: m });
      cases.push({ method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/web`, body: deployment(v, 'web'), code: 400, message: m });
    }
    for (const v of ['2147483648', '9223372036854775808', '-2147483649']) {
      cases.push({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/web`, body: `{"spec":{"replicas":${v}}}`, contentType: 'application/merge-patch+json', code: 400 });
      cases.push({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/web`, body: `[{"op":"replace","path":"/spec/replicas","value":${v}}]`, contentType: 'application/json-patch+json', code: 400 });
    }
    // int64: terminationGracePeriodSeconds takes 2^63-1 but not 2^63.
    // Pods name another scheduler: the leading one would write FailedScheduling Events meanwhile.
    const pod = (grace: string): string => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"schedulerName":"${NOT_OURS}","terminationGracePeriodSeconds":${grace},"containers":[{"name":"c","image":"i"}]}}`;
    cases.push({ method: 'POST', path: `/api/v1/namespaces/${NS}/pods`, body: pod('9223372036854775808'), code: 400, message: /of type int64/ });
    cases.push({ method: 'POST', path: `/api/v1/namespaces/${NS}/pods`, body: pod('3.0'), code: 400, message: /number 3\.0 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64/ });
    await refusedClass(cases);
    const ok = await req('POST', `/api/v1/namespaces/${NS}/pods`, pod('9223372036854775807').replace('"p"', '"max-grace"'));
    assert.equal(ok.status, 201, ok.text);
    // What was stored is readable by a Go client: replicas still an int32.
    const web = JSON.parse((await req('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).text) as { spec: { replicas: number } };
    assert.equal(web.spec.replicas, 1);
  });

  test('patches: a copy bomb is 422 at once, too many operations 413, a resourceVersion set by the patch is a 409 precondition', async () => {
    const bomb = [{ op: 'add', path: '/metadata/annotations', value: { a: 'x'.repeat(100) } }];
    for (let i = 0; i < 30; i++) bomb.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` } as never);
    const many = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/metadata/name', value: 'a' }));
    const cases = [
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: bomb, contentType: 'application/json-patch+json', code: 422 },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: many, contentType: 'application/json-patch+json', code: 413 },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }], contentType: 'application/json-patch+json', code: 409 },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: { metadata: { resourceVersion: '1' } }, contentType: 'application/merge-patch+json', code: 409 },
    ];
    const before = await snapshot();
    const started = Date.now();
    const first = await req('PATCH', `/api/v1/namespaces/${NS}/configmaps/a`, bomb, 'application/json-patch+json');
    assert.equal(first.status, 422, first.text);
    assert.ok(Date.now() - started < 10_000, 'the copy bomb was refused before it grew the document');
    assert.deepEqual(await snapshot(), before);
    await refusedClass(cases);
    // Generated patches of every type, op and path, existing or not: a change or a client error, never a 5xx.
    const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope'];
    const paths = ['/data/k', '/data', '/metadata/labels', '/metadata/labels/x', '/metadata/name', '/x/y', '/data/-', '', '/metadata/annotations/~1', '/0'];
    const values = [1, 'v', null, { a: 1 }, [1], 2 ** 31, 1.5, { $patch: 'delete' }, { $retainKeys: ['x'] }];
    for (let i = 0; i < 600; i++) {
      const type = pick(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
      const body = type === 'application/json-patch+json'
        ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ op: pick(ops), path: pick(paths), from: pick(paths), value: pick(values) }))
        : { metadata: pick([{ labels: pick(values) }, { name: pick(values) }, { finalizers: pick(values) }]), data: pick(values) };
      const a = await req('PATCH', `/api/v1/namespaces/${NS}/configmaps/b`, body, type);
      const where = `${type} ${JSON.stringify(body)} -> ${a.status} ${a.text.slice(0, 200)}`;
      assert.ok(a.status < 500, where);
      if (a.status >= 400) statusOf(a, where);
    }
  });

  test('continue tokens: malformed, fractional, negative, out of range or escaping tokens are 400; an expired one is 410 with a token to go on', async () => {
    const tok = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = [
      'garbage!', '%%%', tok({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'a' }), tok({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), tok({ v: 'meta.k8s.io/v1', rv: -2, start: 'a' }),
      tok({ v: 'meta.k8s.io/v1', rv: 2 ** 64, start: 'a' }), tok({ v: 'meta.k8s.io/v1', rv: '5', start: 'a' }), tok({ v: 'meta.k8s.io/v1', rv: 5, start: '' }),
      tok({ v: 'meta.k8s.io/v1', rv: 5, start: '/x' }), tok({ v: 'meta.k8s.io/v1', rv: 5, start: '../../secrets/' }), tok({ v: 'v2', rv: 5, start: 'a' }), tok([1]), tok(null),
      tok({ v: 'meta.k8s.io/v1', rv: 2 ** 40, start: 'a' }),
    ];
    const cases = [];
    for (const t of tokens) cases.push({ method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps?limit=1&continue=${encodeURIComponent(t)}`, code: 400, message: /^continue key is not valid/ });
    for (let i = 0; i < 200; i++) {
      const t = tok({ v: pick(['meta.k8s.io/v1', 'x']), rv: pick([1.25, -7, 0, 2 ** 53 + 2, 'x', null, true]), start: pick(['a', '', '/', '..', 'a/../../b']) });
      cases.push({ method: 'GET', path: `/api/v1/configmaps?limit=2&continue=${t}`, code: 400 });
    }
    await refusedClass(cases);
    // A real token, then the revision it pins compacted away: 410 Expired with a fresh token in the Status.
    const page = JSON.parse((await req('GET', `/api/v1/namespaces/${NS}/configmaps?limit=1`)).text) as { metadata: { continue: string } };
    await req('PUT', `/api/v1/namespaces/${NS}/configmaps/c`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'changed' } });
    const rev = (await etcd.get('nothing').exec()).header.revision;
    await etcd.kv.compact({ revision: rev, physical: true });
    const expired = await req('GET', `/api/v1/namespaces/${NS}/configmaps?limit=1&continue=${page.metadata.continue}`);
    assert.equal(expired.status, 410, expired.text);
    const s = statusOf(expired, 'expired continue');
    assert.equal(s.reason, 'Expired');
    assert.ok(s.metadata?.continue, 'the 410 carries metadata.continue');
    const rest = JSON.parse((await req('GET', `/api/v1/namespaces/${NS}/configmaps?limit=5&continue=${s.metadata!.continue!}`)).text) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(rest.items.map((i) => i.metadata.name), ['b', 'c']);
  });

  test('bodies: duplicate keys are 400 under Strict and a warning under Warn; YAML is read as 1.1 (0644 is 420)', async () => {
    const dup = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"k":"1","k":"2"}}`;
    await refusedClass([{ method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps?fieldValidation=Strict`, body: dup, code: 400, message: /strict decoding error: duplicate field "metadata.name", duplicate field "data.k"/ }]);
    const warned = await req('POST', `/api/v1/namespaces/${NS}/configmaps?fieldValidation=Warn`, dup);
    assert.equal(warned.status, 201, warned.text);
    assert.match(String(warned.headers['warning']), /duplicate field \\?"metadata.name\\?"/);
    const yaml = [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: yaml11', 'spec:', `  schedulerName: ${NOT_OURS}`, '  containers:', '  - name: c', '    image: i', '    tty: yes',
      '  volumes:', '  - name: v', '    configMap:', '      name: a', '      defaultMode: 0644',
    ].join('\n');
    const created = await req('POST', `/api/v1/namespaces/${NS}/pods`, yaml, 'application/yaml');
    assert.equal(created.status, 201, created.text);
    const pod = JSON.parse(created.text) as { spec: { volumes: { configMap: { defaultMode: number } }[]; containers: { tty: boolean }[] } };
    assert.equal(pod.spec.volumes[0]!.configMap.defaultMode, 420);
    assert.equal(pod.spec.containers[0]!.tty, true);
  });

  test('a ConfigMap key named __proto__ survives create, merge, strategic and JSON patches', async () => {
    const created = await req('POST', `/api/v1/namespaces/${NS}/configmaps`, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto"},"data":{"__proto__":"kept","a":"1"}}');
    assert.equal(created.status, 201, created.text);
    const patches: [string, string][] = [
      ['application/merge-patch+json', '{"data":{"b":"2"}}'],
      ['application/strategic-merge-patch+json', '{"data":{"c":"3"}}'],
      ['application/json-patch+json', '[{"op":"add","path":"/data/d","value":"4"}]'],
      ['application/merge-patch+json', '{"data":{"__proto__":"changed"}}'],
    ];
    for (const [type, body] of patches) {
      const a = await req('PATCH', `/api/v1/namespaces/${NS}/configmaps/proto`, body, type);
      assert.equal(a.status, 200, `${type} ${body} -> ${a.text}`);
    }
    const text = (await req('GET', `/api/v1/namespaces/${NS}/configmaps/proto`)).text;
    const data = (JSON.parse(text) as { data: Record<string, string> }).data;
    assert.deepEqual(Object.keys(data).sort(), ['__proto__', 'a', 'b', 'c', 'd']);
    assert.match(text, /"__proto__":"changed"/);
  });

  test('request lines and headers up to 1 MiB are served, as Go serves them', async () => {
    const selector = `a notin (${Array.from({ length: 15_000 }, (_, i) => `v${i}`).join(',')})`;
    const a = await req('GET', `/api/v1/namespaces/${NS}/configmaps?labelSelector=${encodeURIComponent(selector)}`);
    assert.ok(a.status === 200, `${a.status} ${a.text.slice(0, 200)}`);
    assert.equal((JSON.parse(a.text) as { kind: string }).kind, 'ConfigMapList');
  });

  test('subresource and PUT bodies must name the object of the URL; methods a collection does not take are 405', async () => {
    await refusedClass([
      { method: 'PUT', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }, code: 400, message: /does not match the name on the URL/ },
      { method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'other' }, spec: { replicas: 3 } }, code: 400, message: /does not match the name on the URL/ },
      { method: 'PUT', path: `/api/v1/namespaces/${NS}/finalize`, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' }, spec: { finalizers: [] } }, code: 400, message: /does not match the name on the URL/ },
      { method: 'PUT', path: `/api/v1/namespaces/${NS}/finalize`, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, spec: { finalizers: [1] } }, code: 400, message: /cannot unmarshal number into Go struct field NamespaceSpec.spec.finalizers/ },
      { method: 'POST', path: `/api/v1/namespaces/${NS}/pods/max-grace/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'other' }, target: { kind: 'Node', name: 'n1' } }, code: 400, message: /name in URL does not match name in Binding object/ },
      { method: 'DELETE', path: `/api/v1/namespaces/${NS}/configmaps/a`, body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 'x' }, code: 400 },
      { method: 'PUT', path: `/api/v1/namespaces/${NS}/configmaps`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, code: 405 },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps`, body: {}, contentType: 'application/merge-patch+json', code: 405 },
      { method: 'GET', path: '/readyz/no-such-check', code: 404 },
    ]);
    assert.equal((await req('GET', '/readyz/etcd')).status, 200);
  });

  test('watch: timeoutSeconds=0 means the default and a long timeout is honoured; the watch stays open', async () => {
    for (const t of ['0', '99999999']) {
      const ended = await new Promise<boolean>((resolve) => {
        const ac = new AbortController();
        void fetch(`${c.url}/api/v1/namespaces/${NS}/configmaps?watch=1&timeoutSeconds=${t}`, { signal: ac.signal })
          .then(async (res) => {
            const reader = res.body!.getReader();
            const timer = setTimeout(() => {
              ac.abort();
              resolve(false);
            }, 1500);
            for (;;) {
              const { done } = await reader.read();
              if (done) {
                clearTimeout(timer);
                resolve(true);
                return;
              }
            }
          })
          .catch(() => undefined);
      });
      assert.equal(ended, false, `a watch with timeoutSeconds=${t} ended at once`);
    }
    await refusedClass([
      { method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps?watch=1&timeoutSeconds=-1`, code: 400 },
      { method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps?watch=1&timeoutSeconds=1.5`, code: 400 },
    ]);
  });

  test('an update without a resourceVersion is never a conflict, however many writers race', async () => {
    const writers = Array.from({ length: 8 }, (_, w) =>
      (async () => {
        const codes: number[] = [];
        for (let i = 0; i < 25; i++) {
          const a = await req('PUT', `/api/v1/namespaces/${NS}/configmaps/b`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { writer: String(w), i: String(i) } });
          codes.push(a.status);
        }
        return codes;
      })(),
    );
    const codes = (await Promise.all(writers)).flat();
    assert.deepEqual([...new Set(codes)], [200]);
  });
});

describe('max in-flight requests', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer({ maxMutatingRequestsInflight: 2 });
  });
  after(async () => {
    await c.stop();
  });

  test('writes past --max-mutating-requests-inflight are answered 429 with Retry-After at once, and only admitted ones are stored', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        rawRequest(c.url, 'POST', '/api/v1/namespaces/default/configmaps', 'application/json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `burst-${i}` } })),
      ),
    );
    const throttled = answers.filter((a) => a.status === 429);
    const created = answers.filter((a) => a.status === 201);
    assert.equal(throttled.length + created.length, answers.length, answers.map((a) => a.status).join(','));
    assert.ok(throttled.length > 0, 'some writes were throttled');
    const s = statusOf(throttled[0]!, '429');
    assert.equal(s.reason, 'TooManyRequests');
    assert.equal(throttled[0]!.headers['retry-after'], '1');
    const list = JSON.parse((await rawRequest(c.url, 'GET', '/api/v1/namespaces/default/configmaps', '', '')).text) as { items: { metadata: { name: string } }[] };
    assert.equal(list.items.filter((i) => i.metadata.name.startsWith('burst-')).length, created.length);
    // Reads have their own limit, and health probes none: both still answer during the burst's aftermath.
    assert.equal((await rawRequest(c.url, 'GET', '/readyz', '', '')).status, 200);
    // Every admitted write gave its slot back, as /metrics shows.
    const metrics = (await rawRequest(c.url, 'GET', '/metrics', '', '')).text;
    assert.match(metrics, /^apiserver_current_inflight_requests\{request_kind="mutating"\} 0$/m);
    assert.match(metrics, /^process_resident_memory_bytes [1-9]\d+$/m);
    assert.match(metrics, /^kubets_event_loop_delay_max_seconds \d/m);
  });
});
