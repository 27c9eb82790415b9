import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgram, parseScript, sleepSeconds } from '../../../pkg/cri/fake/program.js';

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
