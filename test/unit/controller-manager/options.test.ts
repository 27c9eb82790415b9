import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError } from '../../../pkg/cli/component.js';
import type { ControllerDefinition } from '../../../pkg/controller/framework/index.js';
import { controllerManagerUsage, enabledControllers, parseControllerManagerFlags } from '../../../pkg/controller-manager/options.js';

const def = (name: string, aliases: string[], extra: Partial<ControllerDefinition> = {}): ControllerDefinition => ({
  name,
  aliases,
  create: () => ({ run: () => Promise.resolve() }),
  ...extra,
});

const DEFS: ControllerDefinition[] = [
  def('replicaset-controller', ['replicaset'], { workers: { flag: 'concurrent-replicaset-syncs', default: 5 } }),
  def('job-controller', ['job'], { workers: { flag: 'concurrent-job-syncs', default: 5 } }),
  def('bootstrap-signer-controller', ['bootstrapsigner'], { disabledByDefault: true }),
  def('node-lifecycle-controller', ['nodelifecycle'], { flags: { 'node-monitor-grace-period': { default: '40s', usage: 'how long a silent node stays Ready' } } }),
];

describe('controller-manager flags', () => {
  const cases: { list: string[]; enabled: string[] }[] = [
    { list: ['*'], enabled: ['replicaset-controller', 'job-controller', 'node-lifecycle-controller'] },
    { list: ['*', '-job'], enabled: ['replicaset-controller', 'node-lifecycle-controller'] },
    { list: ['*', '-job-controller', 'bootstrapsigner'], enabled: ['replicaset-controller', 'bootstrap-signer-controller', 'node-lifecycle-controller'] },
    { list: ['replicaset'], enabled: ['replicaset-controller'] },
    { list: ['-replicaset'], enabled: [] },
  ];
  for (const c of cases) {
    test(`--controllers=${c.list.join(',')} runs ${c.enabled.join(', ') || 'nothing'}`, () => {
      assert.deepEqual([...enabledControllers(c.list, DEFS)], c.enabled);
    });
  }

  test('an unknown controller name is refused with upstream wording', () => {
    assert.throws(() => enabledControllers(['*', 'nosuch'], DEFS), (err: unknown) => err instanceof FlagError && err.message === '"nosuch" is not in the list of known controllers');
  });

  test('defaults: all default controllers, upstream worker counts and controller flags, port 10257, the kube-controller-manager Lease', () => {
    const f = parseControllerManagerFlags([], DEFS);
    assert.deepEqual([...f.enabled], ['replicaset-controller', 'job-controller', 'node-lifecycle-controller']);
    assert.equal(f.workers.get('replicaset-controller'), 5);
    assert.equal(f.controllerFlags.get('node-monitor-grace-period'), '40s');
    assert.equal(f.securePort, 10257);
    assert.equal(f.leaderElection.resourceName, 'kube-controller-manager');
    assert.equal(f.leaderElection.leaderElect, true);
  });

  test('workers and controller flags are read from the command line', () => {
    const f = parseControllerManagerFlags(['--concurrent-job-syncs=2', '--node-monitor-grace-period=8s', '--controllers=job,nodelifecycle', '--leader-elect=false'], DEFS);
    assert.equal(f.workers.get('job-controller'), 2);
    assert.equal(f.controllerFlags.get('node-monitor-grace-period'), '8s');
    assert.deepEqual([...f.enabled], ['job-controller', 'node-lifecycle-controller']);
    assert.equal(f.leaderElection.leaderElect, false);
  });

  const bad: [string[], RegExp][] = [
    [['--concurrent-job-syncs=0'], /invalid --concurrent-job-syncs "0": must be a positive integer/],
    [['--secure-port=70000'], /invalid --secure-port 70000/],
    [['--no-such-flag'], /Unknown option '--no-such-flag'/],
    [['--leader-elect-lease-duration=1s', '--leader-elect-renew-deadline=2s'], /leaseDuration must be greater than renewDeadline/],
  ];
  for (const [argv, message] of bad) {
    test(`${argv.join(' ')} is a flag error`, () => {
      assert.throws(() => parseControllerManagerFlags(argv, DEFS), (err: unknown) => err instanceof FlagError && message.test(err.message));
    });
  }

  test('the usage lists every workers flag and controller flag with its default', () => {
    const u = controllerManagerUsage(DEFS);
    assert.match(u, /--concurrent-replicaset-syncs=N +workers of replicaset-controller \(default 5\)/);
    assert.match(u, /--node-monitor-grace-period=V +how long a silent node stays Ready \(default 40s\)/);
  });
});
