import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type IpInit = NonNullable<NetworkInit['ips']>[number];
const withIps = (...ips: IpInit[]) => net((n) => (n.ips = ips));

describe('validateNetwork: ip addressing', () => {
  it('needs family ipv6 for an IPv6 address, and an IPv4 address for ipv4', () => {
    expectProblem(withIps({ address: '2001:db8::1', prefix: 64 }), 'ip.family.mismatch', '/network/ip[1]/@address', ['no family', "'2001:db8::1'"]);
    expectProblem(withIps({ family: 'ipv4', address: '2001:db8::1', prefix: 64 }), 'ip.family.mismatch', '/network/ip[1]/@address', ["family 'ipv4'", "'2001:db8::1'"]);
    expectProblem(withIps({ family: 'ipv6', address: '10.0.0.1', prefix: 8 }), 'ip.family.mismatch', '/network/ip[1]/@address', ["'10.0.0.1'", 'non-IPv6']);
    expect(codes(withIps({ family: 'ipv6', address: '2001:db8::1', prefix: 64 }))).toEqual([]);
  });
  it('refuses a netmask on IPv6 and a netmask with a prefix', () => {
    expectProblem(withIps({ family: 'ipv6', address: '2001:db8::1', netmask: '255.255.255.0' }), 'ip.netmask.ipv6', '/network/ip[1]/@netmask', ["'255.255.255.0'", "'2001:db8::1'"]);
    expectProblem(withIps({ address: '10.0.0.1', netmask: '255.0.0.0', prefix: 8 }), 'ip.prefix-and-netmask', '/network/ip[1]', ['(8)', "'255.0.0.0'"]);
  });
  it('refuses a prefix out of range for the family', () => {
    expectProblem(withIps({ address: '10.0.0.1', prefix: 33 }), 'ip.prefix.out-of-range', '/network/ip[1]/@prefix', ['33', 'IPv4']);
    expect(codes(withIps({ family: 'ipv6', address: '2001:db8::1', prefix: 128 }))).toEqual([]);
    expectProblem(rawNet((n) => (n['ips'] = [{ family: 'ipv6', address: '2001:db8::1', prefix: 129 }])), 'ip.prefix.out-of-range', '/network/ip[1]/@prefix', ['129', 'IPv6']);
  });
  it('refuses a non-contiguous netmask (runtime)', () => {
    expectProblem(withIps({ address: '10.0.0.1', netmask: '255.0.255.0' }), 'ip.netmask.non-contiguous', '/network/ip[1]/@netmask', ["'255.0.255.0'"]);
    expect(codes(withIps({ address: '10.0.0.1', netmask: '255.0.255.0' }), { checkRuntime: false })).toEqual([]);
  });
  it('refuses class D/E without prefix (runtime) and warns about multicast addresses', () => {
    const n = withIps({ address: '239.0.0.1' });
    expectProblem(n, 'ip.prefix.undetermined', '/network/ip[1]', ["'239.0.0.1'", 'class D or E']);
    expectProblem(n, 'ip.address.multicast', '/network/ip[1]/@address', ["'239.0.0.1'"], 'warning');
    expect(codes(withIps({ address: '10.0.0.1' }))).toEqual([]);
  });
  it('refuses an unparsable address built in code', () => {
    expectProblem(rawNet((n) => (n['ips'] = [{ address: '10.0.0.256' }])), 'ip.address.invalid', '/network/ip[1]/@address', ["'10.0.0.256'"]);
  });
  it('refuses <ip> in modes without a libvirt bridge', () => {
    expectProblem(
      net((n) => {
        n.forward = { mode: 'bridge' };
        delete n.mac;
        n.bridge = { name: 'br0' };
      }),
      'ip.not-allowed',
      '/network/ip[1]',
      ["'192.168.122.1'", "mode='bridge'"],
    );
  });
  it('allows one DHCP section per family', () => {
    const range = (a: string, b: string) => ({ ranges: [{ start: a, end: b }] });
    expectProblem(
      withIps(
        { address: '10.0.0.1', prefix: 24, dhcp: range('10.0.0.2', '10.0.0.9') },
        { family: 'ipv6', address: '2001:db8::1', prefix: 64, dhcp: range('2001:db8::2', '2001:db8::9') },
        { address: '10.1.0.1', prefix: 24, dhcp: { hosts: [{ mac: '00:16:3e:00:00:01', ip: '10.1.0.2' }] } },
      ),
      'ip.dhcp.multiple',
      '/network/ip[3]/dhcp',
      ["'10.0.0.1'", "'10.1.0.1'", 'IPv4'],
    );
    expectProblem(
      withIps(
        { family: 'ipv6', address: '2001:db8::1', prefix: 64, dhcp: range('2001:db8::2', '2001:db8::9') },
        { family: 'ipv6', address: '2001:db9::1', prefix: 64, dhcp: range('2001:db9::2', '2001:db9::9') },
      ),
      'ip.dhcp.multiple',
      '/network/ip[2]/dhcp',
      ["'2001:db8::1'", "'2001:db9::1'", 'IPv6'],
    );
    expect(codes(withIps({ address: '10.0.0.1', prefix: 24, dhcp: range('10.0.0.2', '10.0.0.9') }, { address: '10.1.0.1', prefix: 24, dhcp: { bootp: { file: 'x' } } }))).toEqual([]);
  });
  it('allows tftp and bootp on IPv4 only, with a non-empty root and file', () => {
    const v6 = { family: 'ipv6' as const, address: '2001:db8::1', prefix: 64 };
    expectProblem(withIps({ ...v6, tftp: { root: '/srv/tftp' } }), 'ip.tftp.ipv6', '/network/ip[1]/tftp', ["'2001:db8::1'"]);
    expectProblem(withIps({ ...v6, dhcp: { bootp: { file: 'pxe.0' } } }), 'ip.bootp.ipv6', '/network/ip[1]/dhcp/bootp', ["'pxe.0'", "'2001:db8::1'"]);
    expectProblem(withIps({ address: '10.0.0.1', tftp: { root: '' } }), 'ip.tftp.root.empty', '/network/ip[1]/tftp/@root', ["'10.0.0.1'"]);
    expectProblem(withIps({ address: '10.0.0.1', dhcp: { bootp: { file: '' } } }), 'ip.bootp.file.empty', '/network/ip[1]/dhcp/bootp/@file', ["'10.0.0.1'"]);
    expectProblem(withIps({ address: '10.0.0.1', tftp: { root: '/srv\nenable-ra' } }), 'string.unsafe-char', '/network/ip[1]/tftp/@root', ['/srv\\nenable-ra']);
    expectProblem(withIps({ address: '10.0.0.1', dhcp: { bootp: { file: 'a\rb' } } }), 'string.unsafe-char', '/network/ip[1]/dhcp/bootp/@file', ['a\\rb']);
  });
  it('checks localPtr prefixes (runtime)', () => {
    expect(codes(withIps({ address: '10.0.0.1', prefix: 16, localPtr: true }))).toEqual([]);
    expectProblem(withIps({ address: '10.0.0.1', prefix: 20, localPtr: true }), 'ip.local-ptr.prefix', '/network/ip[1]/@localPtr', ["'10.0.0.1'/20", '8, 16 or 24']);
    expect(codes(withIps({ family: 'ipv6', address: '2001:db8::1', prefix: 48, localPtr: true }))).toEqual([]);
    expectProblem(withIps({ family: 'ipv6', address: '2001:db8::1', prefix: 65, localPtr: true }), 'ip.local-ptr.prefix', '/network/ip[1]/@localPtr', ["'2001:db8::1'/65", 'multiple of 4']);
    expect(codes(withIps({ address: '10.0.0.1', prefix: 20, localPtr: true }), { checkRuntime: false })).toEqual([]);
  });
});
