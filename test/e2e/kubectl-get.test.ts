// `kubectl get` as a user sees it: server-side Table columns for each kind, output formats and selectors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop, labels: {app: shop, tier: web, rank: "2"}}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: shop, labels: {app: shop, tier: db, rank: "1"}}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: default, labels: {app: shop, rank: "3"}}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: shop}
type: Opaque
stringData: {password: hunter2}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: "", tls.key: ""}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: shop, labels: {app: shop}}
spec:
  containers: [{name: c, image: busybox:1.36}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36, command: ["true"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: shop}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: postgres:16}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: a, image: agent:1}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers: [{name: r, image: nginx:1.27}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: {path: /tmp/pv1}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: shop}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: lock, namespace: shop}
spec: {holderIdentity: node-a, leaseDurationSeconds: 15}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {node-role.kubernetes.io/control-plane: ""}}
---
apiVersion: v1
kind: Event
metadata: {name: ev1, namespace: shop}
involvedObject: {kind: Pod, name: p1, namespace: shop}
reason: Started
message: Started container c
type: Normal
source: {component: kubelet}
`;

/**
 * Splits kubectl's column output into header names and rows of cells. Columns are found from the header
 * (names are separated by at least two spaces), so empty cells stay empty.
 */
function table(out: string): { header: string[]; rows: string[][] } {
  const lines = out.replace(/\n$/, '').split('\n');
  const head = lines[0] ?? '';
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of head.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    header.push(m[0]);
  }
  const rows = lines.slice(1).map((line) => starts.map((s, i) => line.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trim()));
  return { header, rows };
}

const AGE = /^\d+[smhd]$/;

/** Checks a row cell by cell; `AGE` cells only have to look like an age. */
function assertRow(actual: string[] | undefined, expected: (string | RegExp)[]): void {
  assert.ok(actual, 'row present');
  assert.equal(actual.length, expected.length, `cells: ${JSON.stringify(actual)}`);
  expected.forEach((e, i) => {
    if (e instanceof RegExp) assert.match(actual[i] ?? '', e, `cell ${i} of ${JSON.stringify(actual)}`);
    else assert.equal(actual[i], e, `cell ${i} of ${JSON.stringify(actual)}`);
  });
}

describe('kubectl get against a local kubets cluster', () => {
  let c: LocalCluster;
  let jobUid = '';
  before(async () => {
    // These tests compare exact lists of pods and events: no scheduler may add its own.
    c = await startLocalCluster(['--schedulers', '0', '--controller-managers', '0', '--nodes', '0']);
    const r = c.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    assert.equal(r.code, 0, r.stderr);
    jobUid = c.kubectl(['get', 'job', 'j', '-n', 'shop', '-o', 'jsonpath={.metadata.uid}']).stdout;
  });
  after(async () => {
    await c.stop();
  });

  // [what to get, default header, default row, extra wide columns, extra wide cells]
  const cases: [string[], string[], (string | RegExp)[], string[], (string | RegExp)[]][] = [
    [['pod', 'p1'], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['p1', '0/1', 'Pending', '0', AGE], ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'], ['<none>', '<none>', '<none>', '<none>']],
    [['service', 'web'], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['web', 'ClusterIP', /^10\.\d+\.\d+\.\d+$/, '<none>', '80/TCP', AGE], ['SELECTOR'], ['app=shop']],
    [['configmap', 'cfg'], ['NAME', 'DATA', 'AGE'], ['cfg', '2', AGE], [], []],
    [['secret', 'sec'], ['NAME', 'TYPE', 'DATA', 'AGE'], ['sec', 'Opaque', '1', AGE], [], []],
    [['secret', 'tls'], ['NAME', 'TYPE', 'DATA', 'AGE'], ['tls', 'kubernetes.io/tls', '2', AGE], [], []],
    // Event's wide columns sit between the default ones, so its wide header and row are given whole.
    [['events'], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ['<unknown>', 'Normal', 'Started', 'pod/p1', 'Started container c'],
      ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
      ['<unknown>', 'Normal', 'Started', 'pod/p1', '', 'kubelet', 'Started container c', '<unknown>', '1', 'ev1']],
    [['lease', 'lock'], ['NAME', 'HOLDER', 'AGE'], ['lock', 'node-a', AGE], [], []],
    [['job', 'j'], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], ['j', 'Running', '0/1', '', AGE], ['CONTAINERS', 'IMAGES', 'SELECTOR'], ['c', 'busybox:1.36', 'JOB_SELECTOR']],
    [['cronjob', 'cj'], ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'], ['cj', '*/5 * * * *', '<none>', 'False', '0', '<none>', AGE], ['CONTAINERS', 'IMAGES', 'SELECTOR'], ['c', 'busybox:1.36', '<none>']],
    [['statefulset', 'db'], ['NAME', 'READY', 'AGE'], ['db', '0/2', AGE], ['CONTAINERS', 'IMAGES'], ['pg', 'postgres:16']],
    [['daemonset', 'agent'], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], ['agent', '0', '0', '0', '0', '0', 'kubernetes.io/os=linux', AGE], ['CONTAINERS', 'IMAGES', 'SELECTOR'], ['a', 'agent:1', 'app=agent']],
    [['replicaset', 'rs'], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['rs', '3', '0', '0', AGE], ['CONTAINERS', 'IMAGES', 'SELECTOR'], ['r', 'nginx:1.27', 'app=rs']],
    [['pvc', 'data'], ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'], ['data', 'Pending', '', '', '', 'standard', '<unset>', AGE], ['VOLUMEMODE'], ['Filesystem']],
    [['pdb', 'pdb'], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], ['pdb', '1', 'N/A', '0', AGE], [], []],
    [['namespace', 'shop'], ['NAME', 'STATUS', 'AGE'], ['shop', 'Active', AGE], [], []],
    [['node', 'node-1'], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ['node-1', 'Unknown', 'control-plane', AGE, ''], ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'], ['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
    [['pv', 'pv1'], ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'], ['pv1', '5Gi', 'RWO', 'Retain', 'Pending', '', 'standard', '<unset>', '', AGE], ['VOLUMEMODE'], ['Filesystem']],
    [['storageclass', 'standard'], ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'], ['standard', 'kubernetes.io/no-provisioner', 'Delete', 'WaitForFirstConsumer', 'false', AGE], [], []],
    [['priorityclass', 'high'], ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'], ['high', '1000', 'false', AGE, 'PreemptLowerPriority'], [], []],
  ];
  for (const [what, header, row, wideHeader, wideRow] of cases) {
    const whole = wideHeader[0] === header[0];
    const wideCols = whole ? wideHeader.filter((h) => !header.includes(h)) : wideHeader;
    test(`get ${what.join(' ')} prints kube-apiserver's columns, and -o wide adds ${wideCols.length > 0 ? wideCols.join(', ') : 'nothing'}`, () => {
      const r = c.kubectl(['get', ...what, '-n', 'shop']);
      assert.equal(r.code, 0, r.stderr);
      const t = table(r.stdout);
      assert.deepEqual(t.header, header);
      assert.equal(t.rows.length, 1, r.stdout);
      assertRow(t.rows[0], row);
      const w = c.kubectl(['get', ...what, '-n', 'shop', '-o', 'wide']);
      assert.equal(w.code, 0, w.stderr);
      const wt = table(w.stdout);
      assert.deepEqual(wt.header, whole ? wideHeader : [...header, ...wideHeader]);
      const wideCells = wideRow.map((x) => (x === 'JOB_SELECTOR' ? `batch.kubernetes.io/controller-uid=${jobUid}` : x));
      assertRow(wt.rows[0], whole ? wideCells : [...row, ...wideCells]);
    });
  }

  test('-o yaml and -o json print the stored object', () => {
    const y = c.kubectl(['get', 'configmap', 'cfg', '-n', 'shop', '-o', 'yaml']);
    assert.equal(y.code, 0, y.stderr);
    assert.match(y.stdout, /^apiVersion: v1\ndata:\n {2}a: "1"\n {2}b: "2"\nkind: ConfigMap\nmetadata:\n/);
    assert.match(y.stdout, /\n {2}name: cfg\n {2}namespace: shop\n {2}resourceVersion: "\d+"\n {2}uid: [0-9a-f-]{36}\n$/);
    const j = c.kubectl(['get', 'configmaps', '-n', 'shop', '-o', 'json']);
    const list = JSON.parse(j.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['cfg', 'other']);
  });

  test('-o name, jsonpath and custom-columns print exactly the requested fields', () => {
    assert.equal(c.kubectl(['get', 'cm,secret', '-n', 'shop', '-o', 'name']).stdout, 'configmap/cfg\nconfigmap/other\nsecret/sec\nsecret/tls\n');
    const jp = c.kubectl(['get', 'cm', '-n', 'shop', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.a}{"\\n"}{end}']);
    assert.equal(jp.stdout, 'cfg=1\nother=1\n');
    const cc = c.kubectl(['get', 'cm', '-n', 'shop', '-o', 'custom-columns=NAME:.metadata.name,TIER:.metadata.labels.tier,B:.data.b']);
    assert.equal(cc.stdout, 'NAME    TIER   B\ncfg     web    2\nother   db     <none>\n');
  });

  test('--show-labels and -L add label columns', () => {
    const s = table(c.kubectl(['get', 'cm', 'cfg', '-n', 'shop', '--show-labels']).stdout);
    assert.deepEqual(s.header, ['NAME', 'DATA', 'AGE', 'LABELS']);
    assert.equal(s.rows[0]?.[3], 'app=shop,rank=2,tier=web');
    const l = table(c.kubectl(['get', 'cm', '-n', 'shop', '-L', 'tier', '-L', 'missing']).stdout);
    assert.deepEqual(l.header, ['NAME', 'DATA', 'AGE', 'TIER', 'MISSING']);
    assert.deepEqual(l.rows.map((r) => [r[0], r[3], r[4]]), [['cfg', 'web', ''], ['other', 'db', '']]);
  });

  test('-l takes equality and set-based selectors across namespaces with -A', () => {
    const names = (sel: string): string => c.kubectl(['get', 'cm', '-A', '-l', sel, '-o', 'custom-columns=NS:.metadata.namespace,N:.metadata.name', '--no-headers']).stdout;
    assert.equal(names('app=shop'), 'default   plain\nshop      cfg\nshop      other\n');
    assert.equal(names('tier in (web,cache)'), 'shop   cfg\n');
    assert.equal(names('app=shop,tier notin (web)'), 'default   plain\nshop      other\n');
    assert.equal(names('tier'), 'shop   cfg\nshop   other\n');
    assert.equal(names('!tier,app'), 'default   plain\n');
    assert.equal(names('tier!=web'), 'default   plain\nshop      other\n');
    const none = c.kubectl(['get', 'cm', '-A', '-l', 'app=nothing']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr.trim(), 'No resources found');
  });

  test('-A prints a NAMESPACE column first', () => {
    const t = table(c.kubectl(['get', 'cm', '-A', '-l', 'app=shop']).stdout);
    assert.deepEqual(t.header, ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    assert.deepEqual(t.rows.map((r) => `${r[0]}/${r[1]}/${r[2]}`), ['default/plain/0', 'shop/cfg/2', 'shop/other/1']);
  });

  test('--field-selector filters on the fields each kind supports and rejects others', () => {
    const name = (args: string[]): string => c.kubectl(['get', ...args, '-o', 'name']).stdout;
    assert.equal(name(['cm', '-A', '--field-selector', 'metadata.name=other']), 'configmap/other\n');
    assert.equal(name(['cm', '-A', '--field-selector', 'metadata.namespace!=shop', '-l', 'app']), 'configmap/plain\n');
    assert.equal(name(['pods', '-n', 'shop', '--field-selector', 'status.phase=Pending,spec.nodeName=']), 'pod/p1\n');
    assert.equal(name(['secrets', '-n', 'shop', '--field-selector', 'type=kubernetes.io/tls']), 'secret/tls\n');
    assert.equal(name(['events', '-n', 'shop', '--field-selector', 'involvedObject.kind=Pod,involvedObject.name=p1']), 'event/ev1\n');
    const bad = c.kubectl(['get', 'cm', '-n', 'shop', '--field-selector', 'data.a=1']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "data.a=1": field label not supported: data.a');
  });

  test('--sort-by orders rows by any field', () => {
    const sorted = c.kubectl(['get', 'cm', '-A', '-l', 'app=shop', '--sort-by=.metadata.labels.rank', '-o', 'name']);
    assert.equal(sorted.stdout, 'configmap/other\nconfigmap/cfg\nconfigmap/plain\n');
    const desc = c.kubectl(['get', 'cm', '-n', 'shop', '--sort-by={.metadata.labels.tier}', '--no-headers', '-o', 'custom-columns=N:.metadata.name']);
    assert.equal(desc.stdout, 'other\ncfg\n');
  });
});
