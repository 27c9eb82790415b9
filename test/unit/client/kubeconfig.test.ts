import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { KubeconfigError, RestClient, inClusterConfig, loadKubeconfig, readKubeconfig } from '../../../pkg/client/index.js';
import { sendJson, startServer } from './server.fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'kubets-kubeconfig-'));
mkdirSync(join(dir, 'certs'));
writeFileSync(join(dir, 'certs', 'ca.pem'), 'CA FROM FILE');
writeFileSync(join(dir, 'token'), 'file-token\n');

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const first = file(
  'first.yaml',
  `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:6443
    certificate-authority: certs/ca.pem
    extensions:
    - name: kubets.io/servers
      extension:
        servers: [http://127.0.0.1:6444, http://127.0.0.1:6443]
contexts:
- name: dev
  context: {cluster: local, user: alice, namespace: team-a}
- name: shared
  context: {cluster: local, user: bob}
users:
- name: alice
  user: {token: alice-token}
`,
);
const second = file(
  'second.yaml',
  `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: local
  cluster: {server: http://10.0.0.1:6443}
- name: remote
  cluster:
    server: https://10.0.0.2:6443
    certificate-authority-data: ${Buffer.from('CA FROM DATA').toString('base64')}
    insecure-skip-tls-verify: true
    tls-server-name: api.example
contexts:
- name: prod
  context: {cluster: remote, user: carol}
- name: shared
  context: {cluster: remote, user: carol}
- name: no-server
  context: {cluster: ghost, user: carol}
- name: basic
  context: {cluster: local, user: dave}
- name: tokenfile
  context: {cluster: local, user: erin}
- name: plugin
  context: {cluster: local, user: frank}
users:
- name: alice
  user: {token: shadowed}
- name: bob
  user: {token: bob-token}
- name: carol
  user:
    client-certificate-data: ${Buffer.from('CERT').toString('base64')}
    client-key-data: ${Buffer.from('KEY').toString('base64')}
- name: dave
  user: {username: dave, password: pw}
- name: erin
  user: {tokenFile: token}
- name: frank
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}
`,
);
const missing = join(dir, 'missing.yaml');
const bothEnv = { KUBECONFIG: [missing, first, second, first].join(delimiter) };

const cases: { name: string; opts: Parameters<typeof loadKubeconfig>[0]; expect: Record<string, unknown> }[] = [
  {
    name: 'the first file in KUBECONFIG sets current-context and wins for names defined twice',
    opts: { env: bothEnv },
    expect: { contextName: 'dev', clusterName: 'local', userName: 'alice', namespace: 'team-a', token: 'alice-token', servers: ['http://127.0.0.1:6443', 'http://127.0.0.1:6444'] },
  },
  {
    name: 'a relative certificate-authority path is read relative to its file',
    opts: { env: bothEnv },
    expect: { ca: 'CA FROM FILE', insecureSkipTLSVerify: false },
  },
  {
    name: 'a context defined in both files comes from the first',
    opts: { env: bothEnv, context: 'shared' },
    expect: { clusterName: 'local', userName: 'bob', token: 'bob-token', namespace: 'default' },
  },
  {
    name: 'a context from a later file uses its data fields, TLS options and client certificate',
    opts: { env: bothEnv, context: 'prod' },
    expect: { servers: ['https://10.0.0.2:6443'], ca: 'CA FROM DATA', insecureSkipTLSVerify: true, tlsServerName: 'api.example', cert: 'CERT', key: 'KEY', token: undefined },
  },
  {
    name: 'basic auth credentials are carried',
    opts: { env: bothEnv, context: 'basic' },
    expect: { username: 'dave', password: 'pw' },
  },
  {
    name: 'a tokenFile is resolved relative to its kubeconfig',
    opts: { env: bothEnv, context: 'tokenfile' },
    expect: { tokenFile: join(dir, 'token') },
  },
  {
    name: 'an explicit path reads only that file',
    opts: { path: second, env: bothEnv },
    expect: { contextName: 'prod', servers: ['https://10.0.0.2:6443'] },
  },
  {
    name: 'cluster and user overrides replace those of the context',
    opts: { env: bothEnv, cluster: 'remote', user: 'bob' },
    expect: { clusterName: 'remote', userName: 'bob', token: 'bob-token' },
  },
  {
    name: 'without KUBECONFIG the file under the home directory is read',
    opts: { env: {}, home: join(dir, 'home') },
    expect: { contextName: 'home-ctx', servers: ['http://127.0.0.1:7000'] },
  },
];

mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
writeFileSync(
  join(dir, 'home', '.kube', 'config'),
  `current-context: home-ctx
clusters: [{name: c, cluster: {server: "http://127.0.0.1:7000"}}]
contexts: [{name: home-ctx, context: {cluster: c}}]
`,
);

for (const tc of cases) {
  test(tc.name, () => {
    const got = loadKubeconfig(tc.opts) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(tc.expect)) {
      const actual = Buffer.isBuffer(got[k]) ? (got[k] as Buffer).toString('utf8') : got[k];
      assert.deepEqual(actual, v, k);
    }
  });
}

const errorCases: { name: string; opts: Parameters<typeof loadKubeconfig>[0]; message: string }[] = [
  { name: 'an unknown context is reported as kubectl does', opts: { env: bothEnv, context: 'nope' }, message: 'context was not found for specified context: nope' },
  { name: 'a context naming an unknown cluster has no server', opts: { env: bothEnv, context: 'no-server' }, message: 'no server found for cluster "ghost"' },
  { name: 'an unknown user override is reported', opts: { env: bothEnv, user: 'zed' }, message: 'auth info "zed" does not exist' },
  { name: 'a user that needs an exec credential plugin is reported, not silently sent without credentials', opts: { env: bothEnv, context: 'plugin' }, message: 'user "frank" authenticates through an exec credential plugin' },
  { name: 'a missing explicit file is an error', opts: { path: missing }, message: `stat ${missing}: no such file or directory` },
  {
    name: 'no kubeconfig at all is reported as an empty configuration',
    opts: { env: { KUBECONFIG: missing } },
    message: 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable',
  },
  { name: 'a file that is not YAML names the file', opts: { path: file('bad.yaml', 'not: [valid') }, message: `error loading config file "${join(dir, 'bad.yaml')}"` },
];
for (const tc of errorCases) {
  test(tc.name, () => {
    assert.throws(
      () => loadKubeconfig(tc.opts),
      (err: unknown) => err instanceof KubeconfigError && err.message.startsWith(tc.message),
    );
  });
}

test('merged files are listed in precedence order without duplicates or missing files', () => {
  assert.deepEqual(readKubeconfig({ env: bothEnv }).files, [first, second]);
});

test('a resolved kubeconfig builds a RestClient that sends its token and namespace default', async () => {
  const s = await startServer((_req, res) => sendJson(res, 200, {}));
  const cfgPath = file(
    'live.yaml',
    `current-context: x
clusters: [{name: c, cluster: {server: "${s.url}"}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: apps}}]
users: [{name: u, user: {token: t0k}}]
`,
  );
  const c = new RestClient({ ...loadKubeconfig({ path: cfgPath }), component: 'test' });
  try {
    await c.request({ path: '/api' });
    assert.equal(s.requests[0]?.headers['authorization'], 'Bearer t0k');
    assert.equal(s.requests[0]?.headers['user-agent'], 'kubets/test');
    assert.equal(c.namespace, 'apps');
  } finally {
    c.close();
    await s.close();
  }
});

test('in-cluster configuration uses the service host, port and mounted service account', () => {
  const sa = join(dir, 'sa');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), 'sa-token');
  writeFileSync(join(sa, 'ca.crt'), 'SA CA');
  writeFileSync(join(sa, 'namespace'), 'kube-system\n');
  const cfg = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa });
  assert.deepEqual(cfg.servers, ['https://[fd00::1]:443']);
  assert.equal(cfg.tokenFile, join(sa, 'token'));
  assert.equal(cfg.namespace, 'kube-system');
  assert.equal(cfg.ca?.toString(), 'SA CA');
});

test('in-cluster configuration needs the service environment variables', () => {
  assert.throws(() => inClusterConfig({ env: {} }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
});
