// `kubectl create <generator>` and `kubectl run`: kubectl sends these bodies as Kubernetes protobuf, so this file
// checks the server decodes protobuf requests into the same objects a YAML manifest would give.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

describe('kubectl create generators and run against a local kubets cluster', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  /** Runs a create-like command, requires success and the given stdout, then reads fields back with jsonpath. */
  function created(args: string[], stdout: string, get: string[], jsonpath: string): string {
    const r = c.kubectl(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, stdout);
    const g = c.kubectl(['get', ...get, '-o', `jsonpath=${jsonpath}`]);
    assert.equal(g.code, 0, g.stderr);
    return g.stdout;
  }

  test('create namespace makes an Active namespace', () => {
    assert.equal(created(['create', 'namespace', 'gen'], 'namespace/gen created\n', ['ns', 'gen'], '{.status.phase} {.metadata.labels}'), 'Active {"kubernetes.io/metadata.name":"gen"}');
  });

  test('create deployment builds the pod template from --image and --replicas', () => {
    const out = created(
      ['create', 'deployment', 'web', '-n', 'gen', '--image=nginx:1.27', '--replicas=3', '--port=80'],
      'deployment.apps/web created\n',
      ['deployment', 'web', '-n', 'gen'],
      '{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.strategy.type}',
    );
    assert.equal(out, '3 web web nginx nginx:1.27 80 RollingUpdate');
  });

  test('create configmap takes literals', () => {
    const out = created(['create', 'configmap', 'cfg', '-n', 'gen', '--from-literal=a=1', '--from-literal=b=two'], 'configmap/cfg created\n', ['cm', 'cfg', '-n', 'gen'], '{.data}');
    assert.equal(out, '{"a":"1","b":"two"}');
  });

  test('create secret generic stores base64 data of type Opaque', () => {
    const out = created(['create', 'secret', 'generic', 'pw', '-n', 'gen', '--from-literal=password=hunter2'], 'secret/pw created\n', ['secret', 'pw', '-n', 'gen'], '{.type} {.data.password}');
    assert.equal(out, `Opaque ${Buffer.from('hunter2').toString('base64')}`);
  });

  test('create service clusterip gets a cluster IP and the app selector', () => {
    const out = created(['create', 'service', 'clusterip', 'web', '-n', 'gen', '--tcp=80:8080'], 'service/web created\n', ['svc', 'web', '-n', 'gen'], '{.spec.type} {.spec.selector.app} {.spec.ports[0].name} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.clusterIP}');
    assert.match(out, /^ClusterIP web 80-8080 80 8080 10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  });

  test('create job and create cronjob fill in the template', () => {
    const job = created(['create', 'job', 'once', '-n', 'gen', '--image=busybox:1.36', '--', 'echo', 'hi'], 'job.batch/once created\n', ['job', 'once', '-n', 'gen'], '{.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].command} {.spec.completions}');
    assert.equal(job, 'Never ["echo","hi"] 1');
    const cron = created(['create', 'cronjob', 'tick', '-n', 'gen', '--image=busybox:1.36', '--schedule=*/1 * * * *'], 'cronjob.batch/tick created\n', ['cronjob', 'tick', '-n', 'gen'], '{.spec.schedule} {.spec.jobTemplate.spec.template.spec.restartPolicy} {.spec.concurrencyPolicy}');
    assert.equal(cron, '*/1 * * * * OnFailure Allow');
  });

  test('create serviceaccount, quota, priorityclass and poddisruptionbudget', () => {
    assert.equal(created(['create', 'serviceaccount', 'robot', '-n', 'gen'], 'serviceaccount/robot created\n', ['sa', 'robot', '-n', 'gen'], '{.metadata.name}'), 'robot');
    assert.equal(created(['create', 'quota', 'q', '-n', 'gen', '--hard=pods=10,cpu=2'], 'resourcequota/q created\n', ['quota', 'q', '-n', 'gen'], '{.spec.hard.pods} {.spec.hard.cpu}'), '10 2');
    // The quota is enforced: a cpu quota refuses pods that state no cpu request, as upstream's does. The
    // pods the later tests run state none, so it goes.
    assert.equal(c.kubectl(['delete', 'quota', 'q', '-n', 'gen']).code, 0);
    assert.equal(
      created(['create', 'priorityclass', 'urgent', '--value=1000', '--description=urgent work'], 'priorityclass.scheduling.k8s.io/urgent created\n', ['pc', 'urgent'], '{.value} {.globalDefault} {.description} {.preemptionPolicy}'),
      // globalDefault is omitempty: false is not serialized, so jsonpath prints nothing for it.
      '1000  urgent work PreemptLowerPriority',
    );
    assert.equal(
      created(['create', 'poddisruptionbudget', 'pdb', '-n', 'gen', '--selector=app=web', '--min-available=1'], 'poddisruptionbudget.policy/pdb created\n', ['pdb', 'pdb', '-n', 'gen'], '{.spec.minAvailable} {.spec.selector.matchLabels.app}'),
      '1 web',
    );
  });

  test('run creates a single pod with the run label', () => {
    const out = created(['run', 'nginx', '-n', 'gen', '--image=nginx'], 'pod/nginx created\n', ['pod', 'nginx', '-n', 'gen'], '{.metadata.labels.run} {.spec.containers[0].name} {.spec.containers[0].image} {.spec.restartPolicy} {.status.phase}');
    // Pending until a kubelet has started it, Running after.
    assert.match(out, /^nginx nginx nginx Always (Pending|Running)$/);
  });

  test('a generator for an existing name reports AlreadyExists', () => {
    const r = c.kubectl(['create', 'configmap', 'cfg', '-n', 'gen', '--from-literal=a=1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'error: failed to create configmap: configmaps "cfg" already exists');
  });
});
