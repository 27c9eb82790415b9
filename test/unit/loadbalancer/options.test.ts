// Flags of cmd/loadbalancer and the HOST:PORT syntax they use.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostPort, parseHostPort } from '../../../pkg/loadbalancer/address.js';
import { FlagError } from '../../../pkg/cli/component.js';
import { parseLoadBalancerFlags } from '../../../pkg/loadbalancer/options.js';

describe('HOST:PORT', () => {
  const good: { name: string; text: string; zero?: boolean; want: { host: string; port: number } }[] = [
    { name: 'a name and a port parse', text: 'apiserver:6443', want: { host: 'apiserver', port: 6443 } },
    { name: 'an IPv4 address and a port parse', text: '0.0.0.0:8404', want: { host: '0.0.0.0', port: 8404 } },
    { name: 'a bracketed IPv6 address parses', text: '[::1]:6443', want: { host: '::1', port: 6443 } },
    { name: 'an unbracketed IPv6 literal takes the last colon as the port separator', text: '::1:6443', want: { host: '::1', port: 6443 } },
    { name: 'port 0 is accepted where a free port may be picked', text: '127.0.0.1:0', zero: true, want: { host: '127.0.0.1', port: 0 } },
  ];
  for (const tc of good) test(tc.name, () => assert.deepEqual(parseHostPort(tc.text, { allowZeroPort: tc.zero ?? false }), tc.want));

  const bad: { name: string; text: string; zero?: boolean; message: RegExp }[] = [
    { name: 'a missing port is refused', text: 'apiserver', message: /is not HOST:PORT/ },
    { name: 'a missing host is refused', text: ':6443', message: /is not HOST:PORT/ },
    { name: 'a non-numeric port is refused', text: 'apiserver:https', message: /has no numeric port/ },
    { name: 'a port above 65535 is refused', text: 'apiserver:70000', message: /port must be in 1-65535/ },
    { name: 'port 0 is refused for a backend', text: 'apiserver:0', message: /port must be in 1-65535/ },
    { name: 'an ambiguous colon-separated host is refused', text: 'a:b:6443', message: /is not HOST:PORT/ },
  ];
  for (const tc of bad) test(tc.name, () => assert.throws(() => parseHostPort(tc.text, { allowZeroPort: tc.zero ?? false }), tc.message));

  test('IPv6 hosts are printed in brackets and IPv4 hosts as is', () => {
    assert.equal(formatHostPort('::1', 6443), '[::1]:6443');
    assert.equal(formatHostPort('172.18.0.5', 6443), '172.18.0.5:6443');
  });
});

describe('loadbalancer flags', () => {
  test('defaults apply when only --backends is given', () => {
    assert.deepEqual(parseLoadBalancerFlags(['--backends=apiserver:6443']), {
      listen: { host: '0.0.0.0', port: 6443 },
      backends: [{ host: 'apiserver', port: 6443 }],
      resolveIntervalMs: 1000,
      healthPath: '/readyz',
      healthIntervalMs: 500,
      healthTimeoutMs: 1000,
      adminListen: { host: '0.0.0.0', port: 8404 },
      connectTimeoutMs: 1000,
      logLevel: 'info',
    });
  });

  test('every flag is read', () => {
    const f = parseLoadBalancerFlags([
      '--listen', '127.0.0.1:0', '--backends', 'a:1, b:2', '--resolve-interval=200', '--health-path=/livez',
      '--health-interval=100', '--health-timeout=300', '--admin-listen=127.0.0.1:0', '--connect-timeout=50', '--log-level=debug',
    ]);
    assert.deepEqual(f, {
      listen: { host: '127.0.0.1', port: 0 },
      backends: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }],
      resolveIntervalMs: 200,
      healthPath: '/livez',
      healthIntervalMs: 100,
      healthTimeoutMs: 300,
      adminListen: { host: '127.0.0.1', port: 0 },
      connectTimeoutMs: 50,
      logLevel: 'debug',
    });
  });

  const bad: { name: string; argv: string[]; message: RegExp }[] = [
    { name: '--backends is required', argv: [], message: /^--backends is required$/ },
    { name: 'an empty --backends is refused', argv: ['--backends=,'], message: /names no backend/ },
    { name: 'a backend without a port is refused', argv: ['--backends=apiserver'], message: /^invalid --backends: "apiserver" is not HOST:PORT$/ },
    { name: 'an unknown flag is refused', argv: ['--backends=a:1', '--bogus'], message: /Unknown option '--bogus'/ },
    { name: 'a stray positional argument is refused', argv: ['--backends=a:1', 'extra'], message: /Unexpected argument 'extra'/ },
    { name: 'a non-numeric interval is refused', argv: ['--backends=a:1', '--health-interval=1s'], message: /^invalid --health-interval "1s": want a positive number of milliseconds$/ },
    { name: 'a zero timeout is refused', argv: ['--backends=a:1', '--connect-timeout=0'], message: /^invalid --connect-timeout "0"/ },
    { name: 'a health path without a leading slash is refused', argv: ['--backends=a:1', '--health-path=readyz'], message: /must start with \// },
    { name: 'an unknown log level is refused', argv: ['--backends=a:1', '--log-level=loud'], message: /^invalid --log-level "loud"/ },
    { name: 'a bad listen address is refused', argv: ['--backends=a:1', '--listen=6443'], message: /^invalid --listen:/ },
  ];
  for (const tc of bad) {
    test(tc.name, () => {
      assert.throws(() => parseLoadBalancerFlags(tc.argv), (err: unknown) => err instanceof FlagError && tc.message.test(err.message));
    });
  }
});
