import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgram, parseScript, resolveMounted, runProgram, sleepSeconds, type ProgramHost, type ProgramMount } from '../../../pkg/cri/fake/program.js';

test('a script splits on ; && || and new lines, keeps quoted text whole and drops comments', () => {
  const steps = parseScript(`echo 'a; b' && false || echo "c d"\n# a comment\nsleep 1; exit 2`);
  assert.deepEqual(steps, [
    { argv: ['echo', 'a; b'], after: ';' },
    { argv: ['false'], after: '&&' },
    { argv: ['echo', 'c d'], after: '||' },
    { argv: ['sleep', '1'], after: ';' },
    { argv: ['exit', '2'], after: ';' },
  ]);
});

test('$VAR and ${VAR} expand from the env outside single quotes', () => {
  assert.deepEqual(parseScript(`echo $A "\${A}-x" '$A' $MISSING.`, { A: 'v' })[0]!.argv, ['echo', 'v', 'v-x', '$A', '.']);
});

test('sh -c takes its script; PID 1 from the vocabulary ignores SIGTERM, a server does not', () => {
  assert.deepEqual(parseProgram(['/bin/sh', '-c'], ['echo hi; sleep 5']).steps.map((s) => s.argv), [['echo', 'hi'], ['sleep', '5']]);
  assert.equal(parseProgram(['sh', '-ec', 'true'], []).steps[0]!.argv[0], 'true');
  assert.ok(parseProgram(['sleep', '3600'], []).ignoresSigterm);
  assert.ok(parseProgram(['sh', '-c', 'nginx'], []).ignoresSigterm);
  assert.ok(!parseProgram(['nginx', '-g', 'daemon off;'], []).ignoresSigterm);
  assert.ok(!parseProgram([], []).ignoresSigterm, 'the image entrypoint is a server');
});

test('sleep reads GNU durations: suffixes, fractions, sums; infinity never ends; garbage is invalid', () => {
  assert.equal(sleepSeconds(['1.5']), 1.5);
  assert.equal(sleepSeconds(['2m', '3s']), 123);
  assert.equal(sleepSeconds(['1h']), 3600);
  assert.equal(sleepSeconds(['infinity']), undefined);
  assert.ok(Number.isNaN(sleepSeconds(['soon'])));
  assert.ok(Number.isNaN(sleepSeconds([])));
});

test('a path under a volume mount is the node\'s file (the deepest mount wins); .. cannot climb out', () => {
  const mounts: ProgramMount[] = [
    { containerPath: '/data', hostPath: '/node/vol', readonly: false },
    { containerPath: '/data/config/', hostPath: '/node/cfg', readonly: true },
  ];
  assert.deepEqual(resolveMounted(mounts, '/data/a/b'), { hostPath: '/node/vol/a/b', readOnly: false });
  assert.deepEqual(resolveMounted(mounts, '/data/config/k'), { hostPath: '/node/cfg/k', readOnly: true });
  assert.deepEqual(resolveMounted(mounts, '/data'), { hostPath: '/node/vol', readOnly: false });
  assert.equal(resolveMounted(mounts, '/datafile'), undefined);
  assert.equal(resolveMounted(mounts, '/data/../etc/passwd'), undefined);
});

const dir = mkdtempSync(join(tmpdir(), 'kubets-program-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(script: string, mounts: ProgramMount[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const host: ProgramHost = {
    sleep: async () => undefined,
    forever: () => new Promise<never>(() => undefined),
    unknown: async () => 0,
    write: (stream, line) => (stream === 'stdout' ? out : err).push(line),
    files: new Set(),
    mounts,
  };
  const code = await runProgram(parseProgram(['sh', '-c', script], []), host);
  return { code, out, err };
}

test('echo > and >> write a volume\'s file, cat prints it, touch/mkdir/rm work on it; a read-only mount refuses writes', async () => {
  mkdirSync(join(dir, 'vol'));
  mkdirSync(join(dir, 'cfg'));
  writeFileSync(join(dir, 'cfg', 'greeting'), 'hello\nworld\n');
  const mounts: ProgramMount[] = [
    { containerPath: '/data', hostPath: join(dir, 'vol'), readonly: false },
    { containerPath: '/etc/config', hostPath: join(dir, 'cfg'), readonly: true },
  ];
  const w = await run('echo first > /data/log; echo >>/data/log second; mkdir -p /data/sub; touch /data/sub/t; cat /data/log /etc/config/greeting', mounts);
  assert.deepEqual([w.code, w.out, w.err], [0, ['first', 'second', 'hello', 'world'], []]);
  assert.equal(readFileSync(join(dir, 'vol', 'log'), 'utf8'), 'first\nsecond\n');
  assert.equal(readFileSync(join(dir, 'vol', 'sub', 't'), 'utf8'), '');
  const ro = await run('touch /etc/config/x || echo > /etc/config/greeting x || rm /etc/config/greeting', mounts);
  assert.equal(ro.code, 1);
  assert.deepEqual(ro.err, ["touch: cannot touch '/etc/config/x': Read-only file system", "sh: can't create /etc/config/greeting: Read-only file system", "rm: cannot remove '/etc/config/greeting': Read-only file system"]);
  const missing = await run('cat /data/nope', mounts);
  assert.deepEqual([missing.code, missing.err], [1, ['cat: /data/nope: No such file or directory']]);
  const gone = await run('rm /data/log && cat /data/log', mounts);
  assert.deepEqual([gone.code, gone.err], [1, ['cat: /data/log: No such file or directory']]);
});
