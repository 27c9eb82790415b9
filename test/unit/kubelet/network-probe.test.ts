import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { grpcProbe, httpProbe, networkProbe, resolveProbePort, tcpProbe } from '../../../pkg/kubelet/network-probe.js';
import { protoServices } from '../../../pkg/grpcutil/proto.js';
import type { Container } from '../../../pkg/api/core/v1/pod-types.js';

const listen = (srv: Server | ReturnType<typeof createTcpServer>): Promise<number> =>
  new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port)));

/** A port nothing listens on: one that was just free. */
async function closedPort(): Promise<number> {
  const srv = createTcpServer();
  const port = await listen(srv);
  await new Promise((r) => srv.close(r));
  return port;
}

describe('HTTP, TCP and gRPC probes', () => {
  let http: Server;
  let port: number;
  let seen: IncomingHttpHeaders | undefined;
  before(async () => {
    http = createServer((req, res) => {
      seen = req.headers;
      if (req.url === '/ok') res.end('fine');
      else if (req.url === '/fail') res.writeHead(500).end('broken');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/away') res.writeHead(301, { location: 'http://elsewhere.invalid/' }).end('gone');
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000);
      else res.writeHead(404).end();
    });
    port = await listen(http);
  });
  after(() => {
    http.closeAllConnections();
    http.close();
  });

  test('an HTTP probe succeeds on 2xx and 3xx, sends kube-probe as User-Agent and the probe\'s headers', async () => {
    assert.deepEqual(await httpProbe({ path: '/ok', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, '127.0.0.1', port, 1000), { ok: true, output: 'fine' });
    assert.equal(seen?.['user-agent'], 'kube-probe/1.32');
    assert.equal(seen?.accept, '*/*');
    assert.equal(seen?.['x-probe'], 'yes');
    await httpProbe({ path: '/ok', httpHeaders: [{ name: 'user-agent', value: 'mine' }] }, '127.0.0.1', port, 1000);
    assert.equal(seen?.['user-agent'], 'mine');
  });

  test('an HTTP probe fails with the status code, and with Go\'s words when nothing answers or it answers too late', async () => {
    assert.deepEqual(await httpProbe({ path: '/fail' }, '127.0.0.1', port, 1000), { ok: false, output: 'HTTP probe failed with statuscode: 500' });
    const closed = await closedPort();
    assert.deepEqual(await httpProbe({ path: '/healthz' }, '127.0.0.1', closed, 1000), { ok: false, output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
    assert.deepEqual(await httpProbe({ path: '/slow' }, '127.0.0.1', port, 200), { ok: false, output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  test('an HTTP probe follows redirects on its host, and counts one to another host as success', async () => {
    assert.deepEqual(await httpProbe({ path: '/moved' }, '127.0.0.1', port, 1000), { ok: true, output: 'fine' });
    assert.deepEqual(await httpProbe({ path: '/away' }, '127.0.0.1', port, 1000), { ok: true, output: 'Probe terminated redirects, Response body: gone' });
    assert.deepEqual(await httpProbe({ path: '/loop' }, '127.0.0.1', port, 1000), { ok: false, output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
  });

  test('a TCP probe succeeds when the port accepts a connection', async () => {
    assert.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { ok: true, output: '' });
    const closed = await closedPort();
    assert.deepEqual(await tcpProbe('127.0.0.1', closed, 1000), { ok: false, output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });

  test('a probe port can be a container port\'s name; the pod IP is the host unless the probe names one', async () => {
    const c: Container = { name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: port }] };
    assert.equal(resolveProbePort('http', c), port);
    assert.equal(resolveProbePort(8080, c), 8080);
    assert.equal(resolveProbePort('metrics', c), "couldn't find port: metrics in web");
    assert.deepEqual(await networkProbe({ httpGet: { path: '/ok', port: 'http' } }, c, '127.0.0.1', 1000), { ok: true, output: 'fine' });
    assert.deepEqual(await networkProbe({ tcpSocket: { port: 'http', host: '127.0.0.1' } }, c, '10.255.255.1', 1000), { ok: true, output: '' });
    assert.deepEqual(await networkProbe({ httpGet: { path: '/ok', port: 'metrics' } }, c, '127.0.0.1', 1000), { ok: false, output: "couldn't find port: metrics in web" });
  });

  describe('a gRPC probe', () => {
    let server: grpc.Server;
    let grpcPort: number;
    const statuses: Record<string, string> = { '': 'SERVING', db: 'NOT_SERVING' };
    before(async () => {
      const { Health } = protoServices<{ Health: grpc.ServiceClientConstructor }>('health.proto', 'grpc.health.v1');
      server = new grpc.Server();
      server.addService(Health.service, {
        check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
          const status = statuses[call.request.service];
          if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
          else cb(null, { status });
        },
      });
      grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    });
    after(() => server.forceShutdown());

    test('succeeds when the service is SERVING and says what it answered otherwise', async () => {
      assert.deepEqual(await grpcProbe({ service: '' }, '127.0.0.1', grpcPort, 1000), { ok: true, output: '' });
      assert.deepEqual(await grpcProbe({ service: 'db' }, '127.0.0.1', grpcPort, 1000), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
      assert.deepEqual(await grpcProbe({ service: 'cache' }, '127.0.0.1', grpcPort, 1000), { ok: false, output: 'rpc error: code = NotFound desc = unknown service' });
    });

    test('fails when nothing answers within the timeout, or the server has no health service', async () => {
      const closed = await closedPort();
      assert.deepEqual(await grpcProbe({ service: '' }, '127.0.0.1', closed, 300), { ok: false, output: `timeout: failed to connect service "127.0.0.1:${closed}" within 0.3s: context deadline exceeded` });
      const bare = new grpc.Server();
      const barePort = await new Promise<number>((resolve, reject) => bare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
      try {
        const r = await grpcProbe({ service: '' }, '127.0.0.1', barePort, 1000);
        assert.equal(r.ok, false);
        assert.match(r.output, /^this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
      } finally {
        bare.forceShutdown();
      }
    });
  });
});
