// A controller that throws out of its loop ends the term for all of them and is reported, so the
// process exits non-zero instead of leading on with a controller that does nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { runControllers } from '../../../pkg/controller-manager/run-controllers.js';

const quietLog = pino({ level: 'silent' });

/** A controller that runs until its signal aborts, noting that it stopped. */
function steady(stopped: string[], name: string): { name: string; controller: { run(signal: AbortSignal): Promise<void> } } {
  return {
    name,
    controller: {
      run: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            stopped.push(name);
            resolve();
          }, { once: true });
        }),
    },
  };
}

test('a controller that throws ends every controller of the term and is reported once', { timeout: 10_000 }, async () => {
  const stopped: string[] = [];
  const failures: string[] = [];
  const broken = { name: 'broken', controller: { run: async () => Promise.reject(new Error('informer gone')) } };
  await runControllers([steady(stopped, 'a'), broken, steady(stopped, 'b')], new AbortController().signal, quietLog, (n) => failures.push(n));
  assert.deepEqual(failures, ['broken']);
  assert.deepEqual(stopped.sort(), ['a', 'b']);
});

test('without a failure the controllers run until leadership ends, and nothing is reported', async () => {
  const stopped: string[] = [];
  const failures: string[] = [];
  const leading = new AbortController();
  const done = runControllers([steady(stopped, 'a'), steady(stopped, 'b')], leading.signal, quietLog, (n) => failures.push(n));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(stopped, []);
  leading.abort();
  await done;
  assert.deepEqual(stopped.sort(), ['a', 'b']);
  assert.deepEqual(failures, []);
});
