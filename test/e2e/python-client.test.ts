// The official Python client (Debian's python3-kubernetes) against `npm start`'s cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

// The script lives beside this file's source, not in dist/.
const script = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'test', 'e2e', 'python', 'official_client.py');

describe('the official Python client', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  test('does CRUD, strategic merge patch, scale, errors and watch with no special configuration', () => {
    const r = spawnSync('/usr/bin/python3', [script, c.kubeconfig], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^all checks passed$/m);
  });
});
