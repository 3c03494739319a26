import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type RouteInit = NonNullable<NetworkInit['routes']>[number];
const withRoutes = (...routes: RouteInit[]) =>
  net((n) => {
    n.forward = { mode: 'route' };
    n.ips = [
      { address: '192.168.122.1', prefix: 24 },
      { family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64 },
    ];
    n.routes = routes;
  });

describe('validateNetwork: routes', () => {
  it('accepts routes through a gateway inside an <ip> of the same family', () => {
    expect(
      codes(
        withRoutes(
          { address: '192.168.222.0', prefix: 24, gateway: '192.168.122.10' },
          { address: '10.0.0.0', netmask: '255.255.0.0', gateway: '192.168.122.10', metric: 5 },
          { family: 'ipv6', address: '2001:db8:ac10:fd01::', prefix: 64, gateway: '2001:db8:ca2:2::3' },
          { address: '0.0.0.0', prefix: 0, gateway: '192.168.122.10' },
        ),
      ),
    ).toEqual([]);
  });
  it('refuses addresses and gateways of the wrong family', () => {
    expectProblem(withRoutes({ address: '2001:db8::', prefix: 64, gateway: '192.168.122.10' }), 'route.family.mismatch', '/network/route[1]/@address', ["'2001:db8::'", 'non-IPv4']);
    expectProblem(withRoutes({ family: 'ipv6', address: '2001:db8::', prefix: 64, gateway: '192.168.122.10' }), 'route.family.mismatch', '/network/route[1]/@gateway', ["'192.168.122.10'", 'non-IPv6']);
  });
  it('refuses a netmask on IPv6, a netmask with a prefix, a non-contiguous netmask', () => {
    expectProblem(withRoutes({ family: 'ipv6', address: '2001:db8::', netmask: '255.255.0.0', gateway: '2001:db8:ca2:2::3' }), 'route.netmask.ipv6', '/network/route[1]/@netmask', ["'255.255.0.0'"]);
    expectProblem(withRoutes({ address: '10.0.0.0', netmask: '255.0.0.0', prefix: 8, gateway: '192.168.122.10' }), 'route.prefix-and-netmask', '/network/route[1]', ['(8)', "'255.0.0.0'"]);
    expectProblem(withRoutes({ address: '10.0.0.0', netmask: '255.0.255.0', gateway: '192.168.122.10' }), 'route.netmask.non-contiguous', '/network/route[1]/@netmask', ["'255.0.255.0'"]);
  });
  it('refuses a prefix out of range', () => {
    expectProblem(withRoutes({ address: '10.0.0.0', prefix: 33, gateway: '192.168.122.10' }), 'route.prefix.out-of-range', '/network/route[1]/@prefix', ['33', '0 - 32']);
  });
  it('refuses an address that is not the network address', () => {
    expectProblem(withRoutes({ address: '192.168.222.1', prefix: 24, gateway: '192.168.122.10' }), 'route.address.not-network', '/network/route[1]/@address', ["'192.168.222.1'", 'prefix 24']);
    // prefix 0 counts as unset: the classful /8 applies, as in libvirt.
    expectProblem(withRoutes({ address: '10.1.0.0', prefix: 0, gateway: '192.168.122.10' }), 'route.address.not-network', '/network/route[1]/@address', ["'10.1.0.0'", 'prefix 8']);
  });
  it('refuses a gateway outside every <ip> subnet', () => {
    expectProblem(withRoutes({ address: '10.0.0.0', prefix: 8, gateway: '192.168.123.10' }, { address: '10.0.0.0', prefix: 8, gateway: '192.168.122.10' }), 'route.gateway.unreachable', '/network/route[1]/@gateway', ["'192.168.123.10'"]);
  });
  it('refuses a metric that is not an unsigned int, built in code', () => {
    expectProblem(rawNet((n) => {
      n['forward'] = { mode: 'route' };
      n['routes'] = [{ address: '10.0.0.0', prefix: 8, gateway: '192.168.122.10', metric: 2 ** 32 }];
    }), 'route.metric.out-of-range', '/network/route[1]/@metric', ['4294967296']);
  });
  it('refuses an unparsable route address, built in code', () => {
    expectProblem(rawNet((n) => (n['routes'] = [{ address: 'x', prefix: 8, gateway: '192.168.122.10' }])), 'ip.address.invalid', '/network/route[1]', ["'x'"]);
  });
});
