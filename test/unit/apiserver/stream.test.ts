import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ResponseWriter } from '../../../pkg/apiserver/handlers/stream.js';

/**
 * A socket as Node presents a fast local one: it takes every write at once, still reports
 * backpressure past its high-water mark, and emits 'drain' from a nextTick.
 */
class EagerSocketResponse extends EventEmitter {
  destroyed = false;
  writes = 0;
  write(_text: string): boolean {
    this.writes++;
    process.nextTick(() => this.emit('drain'));
    return false;
  }
}

test('a long response lets timers and other requests run between its writes', async () => {
  const res = new EagerSocketResponse();
  const writer = new ResponseWriter(res as unknown as ServerResponse);
  let writesWhenOtherWorkRan: number | undefined;
  setImmediate(() => (writesWhenOtherWorkRan = res.writes));
  for (let i = 0; i < 200; i++) await writer.write('x'.repeat(1024));
  // Each write the socket pushed back on ends the writer's turn: the work queued meanwhile runs next.
  assert.equal(writesWhenOtherWorkRan, 1);
});

test('a writer stops once the response is gone or the request is aborted', async () => {
  const res = new EagerSocketResponse();
  const abort = new AbortController();
  const writer = new ResponseWriter(res as unknown as ServerResponse, abort.signal);
  assert.equal(await writer.write('a'), true);
  abort.abort();
  assert.equal(await writer.write('b'), false);
  res.destroyed = true;
  assert.equal(await new ResponseWriter(res as unknown as ServerResponse).write('c'), false);
  assert.equal(res.writes, 2, 'nothing is written to a destroyed response');
});
