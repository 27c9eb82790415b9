// A write whose reply is lost after etcd applied it (a member going away mid-request) is retried
// once; the retry recognises the write as its own instead of reporting a conflict with itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRPCUnavailableError, type ITxnResponse } from 'etcd3';
import { StatusError } from '../../../pkg/api/errors.js';
import { CasFailedError, EtcdStore } from '../../../pkg/apiserver/storage/etcd.js';
import { startEtcd, type TestEtcd } from '../../helpers/etcd.js';

describe('etcd writes with a lost reply', () => {
  let etcd: TestEtcd;
  let store: EtcdStore;
  let plain: EtcdStore;
  /** Writes to fail after they applied; counts down. */
  let dropReplies = 0;

  before(async () => {
    etcd = await startEtcd();
    store = new EtcdStore({
      endpoints: [etcd.url],
      txnInterceptor: async (send): Promise<ITxnResponse> => {
        const res = await send();
        if (dropReplies > 0) {
          dropReplies--;
          throw new GRPCUnavailableError('14 UNAVAILABLE: Connection dropped');
        }
        return res;
      },
    });
    plain = new EtcdStore({ endpoints: [etcd.url] });
  });
  after(async () => {
    await store.close();
    await plain.close();
    await etcd.stop();
  });

  test('a create applied before its reply was lost succeeds at the revision it was written', async () => {
    dropReplies = 1;
    const rev = await store.create('/t/a', Buffer.from('one'));
    const got = await plain.get('/t/a');
    assert.equal(got?.modRevision, rev);
    assert.equal(got?.value.toString(), 'one');
  });

  test('an update applied before its reply was lost succeeds', async () => {
    const before = (await plain.get('/t/a'))!;
    dropReplies = 1;
    const rev = await store.update('/t/a', Buffer.from('two'), before.modRevision);
    assert.equal((await plain.get('/t/a'))?.modRevision, rev);
  });

  test('a delete applied before its reply was lost succeeds', async () => {
    const before = (await plain.get('/t/a'))!;
    dropReplies = 1;
    await store.delete('/t/a', before.modRevision);
    assert.equal(await plain.get('/t/a'), undefined);
  });

  test('a genuine conflict is still a conflict after a lost reply', async () => {
    await plain.create('/t/b', Buffer.from('theirs'));
    dropReplies = 1;
    // The first try fails its compare (the key exists) and then "loses" its reply; the retry
    // finds someone else's value, not ours.
    await assert.rejects(store.create('/t/b', Buffer.from('mine')), CasFailedError);
  });

  test('a create whose retry loses its reply too is reported as a 504 (outcome unknown), not as unavailable', async () => {
    dropReplies = 2;
    await assert.rejects(store.create('/t/c', Buffer.from('maybe')), (err: unknown) => err instanceof StatusError && err.code === 504 && err.status.reason === 'Timeout');
    // It did apply: a client told "503 unavailable" would have made a second one.
    assert.equal((await plain.get('/t/c'))?.value.toString(), 'maybe');
  });
});
