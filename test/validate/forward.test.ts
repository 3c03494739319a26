import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type ForwardInit = NonNullable<NetworkInit['forward']>;
/** A network in one of the modes that use existing devices (no <ip>, <mac>, stp). */
const pool = (forward: ForwardInit, edit: (n: NetworkInit) => void = () => {}) =>
  net((n) => {
    n.forward = forward;
    n.ips = [];
    delete n.mac;
    delete n.bridge;
    edit(n);
  });
const pci = (bus: number, slot: number, fn: number, domain = 0) => ({ domain, bus, slot, function: fn });

describe('validateNetwork: forward modes', () => {
  it('accepts the pool modes with their pools', () => {
    expect(codes(pool({ mode: 'hostdev', managed: true, addresses: [pci(3, 0, 1), pci(3, 0, 2)] }))).toEqual([]);
    expect(codes(pool({ mode: 'passthrough', pf: { dev: 'eth0' } }))).toEqual([]);
    expect(codes(pool({ mode: 'private', interfaces: [{ dev: 'eth1' }, { dev: 'eth2' }] }))).toEqual([]);
    expect(codes(pool({ mode: 'bridge' }, (n) => (n.bridge = { name: 'br0' })))).toEqual([]);
  });
  it('refuses an unknown mode built in code', () => {
    expectProblem(rawNet((n) => (n['forward'] = { mode: 'tunnel' })), 'forward.mode.invalid', '/network/forward/@mode', ["'tunnel'"]);
  });
  it('needs an <ip> for nat and route', () => {
    expectProblem(net((n) => (n.ips = [])), 'forward.ip.missing', '/network/forward', ['nat forwarding']);
    expectProblem(net((n) => { n.ips = []; n.forward = { mode: 'route' }; }), 'forward.ip.missing', '/network/forward', ['route forwarding']);
  });
  it('refuses <ip>, <mac>, <dns>, <domain> in mode bridge', () => {
    const n = net((x) => {
      x.forward = { mode: 'bridge' };
      x.bridge = { name: 'br0' };
      x.domain = { name: 'example.com' };
      x.dns = { hosts: [{ ip: '192.168.122.3', hostnames: ['a'] }] };
    });
    expect(codes(n).sort()).toEqual(['dns.not-allowed', 'domain.not-allowed', 'ip.not-allowed', 'mac.not-allowed']);
  });
});

describe('validateNetwork: <nat>', () => {
  it('is allowed in mode nat only', () => {
    expectProblem(net((n) => (n.forward = { mode: 'route', nat: { ipv6: true } })), 'forward.nat.not-nat-mode', '/network/forward/nat', ["'route'"]);
  });
  it('checks the address range', () => {
    expect(codes(net((n) => (n.forward = { mode: 'nat', nat: { address: { start: '10.0.0.1', end: '10.1.0.0' } } })))).toEqual([]);
    expectProblem(net((n) => (n.forward = { mode: 'nat', nat: { address: { start: '10.0.0.9', end: '10.0.0.1' } } })), 'forward.nat.address.reversed', '/network/forward/nat/address', ["'10.0.0.9'", "'10.0.0.1'"]);
    expectProblem(net((n) => (n.forward = { mode: 'nat', nat: { address: { start: '10.0.0.1', end: '10.1.0.1' } } })), 'forward.nat.address.too-large', '/network/forward/nat/address', ["'10.0.0.1'", "'10.1.0.1'", '65537']);
    expectProblem(rawNet((n) => (n['forward'] = { mode: 'nat', nat: { address: { start: '2001:db8::1', end: '2001:db8::2' } } })), 'ip.address.invalid', '/network/forward/nat/address', ["'2001:db8::1'", 'IPv4']);
  });
  it('checks the port range (start == end only at runtime)', () => {
    expect(codes(net((n) => (n.forward = { mode: 'nat', nat: { port: { start: 500, end: 1000 } } })))).toEqual([]);
    expect(codes(net((n) => (n.forward = { mode: 'nat', nat: { port: { start: 0, end: 0 } } })))).toEqual([]);
    expectProblem(net((n) => (n.forward = { mode: 'nat', nat: { port: { start: 1000, end: 500 } } })), 'forward.nat.port.reversed', '/network/forward/nat/port', ['1000-500']);
    expectProblem(net((n) => (n.forward = { mode: 'nat', nat: { port: { start: 1000, end: 1000 } } })), 'forward.nat.port.empty-range', '/network/forward/nat/port', ['1000-1000', 'start < end']);
    expect(codes(net((n) => (n.forward = { mode: 'nat', nat: { port: { start: 1000, end: 1000 } } })), { checkRuntime: false })).toEqual([]);
  });
});

describe('validateNetwork: forward interfaces', () => {
  it('allows one interface for nat and route', () => {
    expect(codes(net((n) => (n.forward = { mode: 'nat', interfaces: [{ dev: 'eth0' }] })))).toEqual([]);
    expectProblem(net((n) => (n.forward = { mode: 'nat', interfaces: [{ dev: 'eth0' }, { dev: 'eth1' }] })), 'forward.interface.too-many', '/network/forward/interface[2]', ["'eth0'", "'eth1'"]);
  });
  it('refuses a forward dev in mode open', () => {
    expectProblem(net((n) => (n.forward = { mode: 'open', interfaces: [{ dev: 'eth0' }] })), 'forward.interface.not-allowed', '/network/forward/interface[1]', ["'eth0'", "mode='open'"]);
  });
  it('refuses empty, duplicate, unsafe and invalid interface names', () => {
    expectProblem(pool({ mode: 'private', interfaces: [{ dev: '' }] }), 'forward.interface.dev.empty', '/network/forward/interface[1]/@dev', ['interface 1']);
    expectProblem(pool({ mode: 'private', interfaces: [{ dev: 'eth0' }, { dev: 'eth1' }, { dev: 'eth0' }] }), 'forward.interface.duplicate', '/network/forward/interface[3]/@dev', ["'eth0'", 'interface 1']);
    expectProblem(pool({ mode: 'private', interfaces: [{ dev: 'eth0\n' }] }), 'string.unsafe-char', '/network/forward/interface[1]/@dev', ['eth0\\n']);
    expectProblem(pool({ mode: 'private', interfaces: [{ dev: 'a-very-long-ethernet0' }] }), 'forward.interface.dev.invalid', '/network/forward/interface[1]/@dev', ["'a-very-long-ethernet0'"]);
  });
  it('refuses netdevs in a hostdev pool and PCI addresses outside hostdev', () => {
    expectProblem(pool({ mode: 'hostdev', interfaces: [{ dev: 'eth0' }] }), 'forward.hostdev.netdev', '/network/forward/interface[1]', ["'eth0'", 'PCI address']);
    expectProblem(pool({ mode: 'passthrough', addresses: [pci(3, 0, 1)] }), 'forward.address.not-hostdev', '/network/forward/address[1]', ['0000:03:00.1', "'passthrough'"]);
  });
  it('checks PCI address ranges and duplicates', () => {
    expectProblem(pool({ mode: 'hostdev', addresses: [pci(0x100, 0, 1)] }), 'forward.address.out-of-range', '/network/forward/address[1]/@bus', ["bus='0x100'", '0xff']);
    expectProblem(pool({ mode: 'hostdev', addresses: [pci(1, 0x20, 1)] }), 'forward.address.out-of-range', '/network/forward/address[1]/@slot', ["slot='0x20'", '0x1f']);
    expectProblem(pool({ mode: 'hostdev', addresses: [pci(1, 0, 8)] }), 'forward.address.out-of-range', '/network/forward/address[1]/@function', ["function='0x8'", '0x7']);
    expectProblem(pool({ mode: 'hostdev', addresses: [pci(1, 0, 1, 0x10000)] }), 'forward.address.out-of-range', '/network/forward/address[1]/@domain', ["domain='0x10000'", '0xffff']);
    expectProblem(pool({ mode: 'hostdev', addresses: [pci(3, 0, 1), pci(3, 0, 2), pci(3, 0, 1)] }), 'forward.address.duplicate', '/network/forward/address[3]', ["'0000:03:00.1'", 'address 1']);
  });
  it('refuses a mix of interfaces, addresses and pf', () => {
    expectProblem(pool({ mode: 'passthrough', pf: { dev: 'eth0' }, interfaces: [{ dev: 'eth1' }] }), 'forward.pool.mixed', '/network/forward', ['mutually exclusive', '1 interface', '1 pf']);
  });
  it('refuses an empty pf dev and an unsafe one', () => {
    expectProblem(pool({ mode: 'passthrough', pf: { dev: '' } }), 'forward.pf.dev.empty', '/network/forward/pf/@dev', ['<pf>']);
    expectProblem(pool({ mode: 'passthrough', pf: { dev: 'e\0' } }), 'string.unsafe-char', '/network/forward/pf/@dev', ['e\\u0000']);
  });
  it('warns about a pool mode without devices (runtime)', () => {
    expectProblem(pool({ mode: 'vepa' }), 'forward.pool.empty', '/network/forward', ["mode='vepa'", '<interface> or <pf>'], 'warning');
    expectProblem(pool({ mode: 'hostdev' }), 'forward.pool.empty', '/network/forward', ["mode='hostdev'", 'PCI <address>'], 'warning');
    expectProblem(pool({ mode: 'bridge' }), 'forward.pool.empty', '/network/forward', ["mode='bridge'", 'neither a bridge'], 'warning');
    expect(codes(pool({ mode: 'vepa' }), { checkRuntime: false })).toEqual([]);
  });
});
