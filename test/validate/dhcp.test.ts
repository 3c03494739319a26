import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type DhcpInit = NonNullable<NonNullable<NetworkInit['ips']>[number]['dhcp']>;
const v4 = (dhcp: DhcpInit, prefix = 24) => net((n) => (n.ips = [{ address: '192.168.122.1', prefix, dhcp }]));
const v6 = (dhcp: DhcpInit) => net((n) => (n.ips = [{ family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64, dhcp }]));
const range = (start: string, end: string) => ({ ranges: [{ start, end }] });

describe('validateNetwork: dhcp ranges', () => {
  it('accepts ranges inside the subnet', () => {
    expect(codes(v4(range('192.168.122.2', '192.168.122.254')))).toEqual([]);
    expect(codes(v6(range('2001:db8:ca2:2::100', '2001:db8:ca2:2::1ff')))).toEqual([]);
  });
  it('refuses a range of the other family', () => {
    expectProblem(v4(range('2001:db8::2', '2001:db8::9')), 'dhcp.range.family-mismatch', '/network/ip[1]/dhcp/range[1]', ["'2001:db8::2'", "'192.168.122.1'"]);
  });
  it('refuses a range not entirely within the network', () => {
    const n = net((x) => (x.ips = [{ address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }, { start: '192.168.122.100', end: '192.168.123.9' }] } }]));
    expectProblem(n, 'dhcp.range.outside-network', '/network/ip[1]/dhcp/range[2]', ["'192.168.122.100'", "'192.168.123.9'", '192.168.122.1/24']);
    expectProblem(v6(range('2001:db8:ca2:3::1', '2001:db8:ca2:3::9')), 'dhcp.range.outside-network', '/network/ip[1]/dhcp/range[1]', ["'2001:db8:ca2:3::1'", '2001:db8:ca2:2::1/64']);
  });
  it('uses the classful prefix when none is given', () => {
    expect(codes(net((n) => (n.ips = [{ address: '10.0.0.1', dhcp: range('10.1.0.1', '10.1.0.9') }])))).toEqual([]);
  });
  it('refuses the network and broadcast addresses in IPv4', () => {
    expectProblem(v4(range('192.168.122.0', '192.168.122.9')), 'dhcp.range.network-address', '/network/ip[1]/dhcp/range[1]/@start', ["'192.168.122.0'", 'network address']);
    expectProblem(v4(range('192.168.122.2', '192.168.122.255')), 'dhcp.range.broadcast-address', '/network/ip[1]/dhcp/range[1]/@end', ["'192.168.122.255'", 'broadcast address']);
  });
  it('refuses a reversed range', () => {
    expectProblem(v4(range('192.168.122.9', '192.168.122.2')), 'dhcp.range.reversed', '/network/ip[1]/dhcp/range[1]', ["'192.168.122.9'", "'192.168.122.2'"]);
    expectProblem(v6(range('2001:db8:ca2:2::9', '2001:db8:ca2:2::2')), 'dhcp.range.reversed', '/network/ip[1]/dhcp/range[1]', ["'2001:db8:ca2:2::9'"]);
  });
  it('refuses ranges of more than 65536 addresses', () => {
    expect(codes(v4(range('192.0.0.1', '192.1.0.0'), 8))).toEqual([]);
    expectProblem(v4(range('192.0.0.1', '192.1.0.1'), 8), 'dhcp.range.too-large', '/network/ip[1]/dhcp/range[1]', ["'192.0.0.1'", "'192.1.0.1'", '65537']);
    expectProblem(v6(range('2001:db8:ca2:2::1:0', '2001:db8:ca2:2::2:0')), 'dhcp.range.too-large', '/network/ip[1]/dhcp/range[1]', ["'2001:db8:ca2:2::1:0'", 'last group']);
  });
  it('refuses leases shorter than 2 minutes, infinite ones are fine', () => {
    expectProblem(v4({ ranges: [{ start: '192.168.122.2', end: '192.168.122.9', lease: { expiry: 119, unit: 'seconds' } }] }), 'dhcp.lease.too-short', '/network/ip[1]/dhcp/range[1]/lease/@expiry', ['119 seconds', '2 minutes']);
    expectProblem(v4({ hosts: [{ mac: '00:16:3e:00:00:01', ip: '192.168.122.3', lease: { expiry: 1 } }] }), 'dhcp.lease.too-short', '/network/ip[1]/dhcp/host[1]/lease/@expiry', ['1 minutes']);
    expect(codes(v4({ ranges: [{ start: '192.168.122.2', end: '192.168.122.9', lease: { expiry: 0 } }], hosts: [{ mac: '00:16:3e:00:00:01', ip: '192.168.122.3', lease: { expiry: 1, unit: 'hours' } }] }))).toEqual([]);
  });
});

describe('validateNetwork: dhcp hosts', () => {
  it('needs mac or name for IPv4, id or name for IPv6', () => {
    expectProblem(v4({ hosts: [{ ip: '192.168.122.3' }] }), 'dhcp.host.ipv4-needs-mac-or-name', '/network/ip[1]/dhcp/host[1]', ["'192.168.122.3'", 'mac or a name']);
    expectProblem(v6({ hosts: [{ ip: '2001:db8:ca2:2::3' }] }), 'dhcp.host.ipv6-needs-id-or-name', '/network/ip[1]/dhcp/host[1]', ["'2001:db8:ca2:2::3'", 'id or a name']);
    expect(codes(v6({ hosts: [{ id: '0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63', ip: '2001:db8:ca2:2::3' }, { name: 'paul', ip: '2001:db8:ca2:2::4' }] }))).toEqual([]);
  });
  it('refuses a MAC on an IPv6 host, a multicast MAC, a bad MAC built in code', () => {
    expectProblem(v6({ hosts: [{ mac: '00:16:3e:00:00:01', name: 'a', ip: '2001:db8:ca2:2::3' }] }), 'dhcp.host.mac-on-ipv6', '/network/ip[1]/dhcp/host[1]/@mac', ["'00:16:3e:00:00:01'"]);
    expectProblem(v4({ hosts: [{ mac: '03:16:3e:00:00:01', ip: '192.168.122.3' }] }), 'dhcp.host.mac.multicast', '/network/ip[1]/dhcp/host[1]/@mac', ["'03:16:3e:00:00:01'"]);
    expectProblem(rawNet((n) => (n['ips'] = [{ address: '10.0.0.1', dhcp: { hosts: [{ mac: 'zz', ip: '10.0.0.2' }] } }])), 'mac.invalid', '/network/ip[1]/dhcp/host[1]/@mac', ["'zz'"]);
  });
  it('refuses a client id outside hex digits and colons', () => {
    expectProblem(v6({ hosts: [{ id: '0:4:zz', ip: '2001:db8:ca2:2::3' }] }), 'dhcp.host.id.invalid-char', '/network/ip[1]/dhcp/host[1]/@id', ["'z'", "'0:4:zz'"]);
  });
  it('refuses host names that do not start with a letter or digit or would split a hosts-file line', () => {
    expectProblem(v4({ hosts: [{ name: '-a', ip: '192.168.122.3' }] }), 'dhcp.host.name.invalid', '/network/ip[1]/dhcp/host[1]/@name', ["'-a'"]);
    expectProblem(v4({ hosts: [{ name: 'a,set:evil', ip: '192.168.122.3' }] }), 'dhcp.host.name.invalid', '/network/ip[1]/dhcp/host[1]/@name', ["'a,set:evil'"]);
    expectProblem(v4({ hosts: [{ name: 'a\nb', ip: '192.168.122.3' }] }), 'string.unsafe-char', '/network/ip[1]/dhcp/host[1]/@name', ['a\\nb']);
  });
  it('warns about a host IP of the wrong family or outside the subnet', () => {
    expectProblem(v4({ hosts: [{ name: 'a', ip: '192.168.123.3' }] }), 'dhcp.host.ip.outside-network', '/network/ip[1]/dhcp/host[1]/@ip', ["'192.168.123.3'", '192.168.122.1/24'], 'warning');
    expectProblem(v4({ hosts: [{ name: 'a', ip: '2001:db8::3' }] }), 'dhcp.host.ip.family-mismatch', '/network/ip[1]/dhcp/host[1]/@ip', ["'2001:db8::3'", "'192.168.122.1'"], 'warning');
  });
  it('refuses a host IP that does not parse, built in code', () => {
    expectProblem(rawNet((n) => (n['ips'] = [{ address: '10.0.0.1', dhcp: { hosts: [{ name: 'a', ip: 'host' }] } }])), 'ip.address.invalid', '/network/ip[1]/dhcp/host[1]/@ip', ["'host'"]);
  });
  it('warns about duplicate MACs (any spelling), IPs and names', () => {
    const n = v4({
      hosts: [
        { mac: '00:16:3e:0a:00:01', name: 'a', ip: '192.168.122.3' },
        { mac: '0:16:3E:A:0:1', name: 'b', ip: '192.168.122.4' },
        { mac: '00:16:3e:0a:00:02', name: 'a', ip: '192.168.122.5' },
        { mac: '00:16:3e:0a:00:03', name: 'c', ip: '192.168.122.5' },
      ],
    });
    expectProblem(n, 'dhcp.host.duplicate-mac', '/network/ip[1]/dhcp/host[2]/@mac', ["'0:16:3E:A:0:1'", 'static host 1'], 'warning');
    expectProblem(n, 'dhcp.host.duplicate-name', '/network/ip[1]/dhcp/host[3]/@name', ["'a'", 'static host 1'], 'warning');
    expectProblem(n, 'dhcp.host.duplicate-ip', '/network/ip[1]/dhcp/host[4]/@ip', ["'192.168.122.5'", 'static host 3'], 'warning');
    expect(codes(n)).toHaveLength(3);
  });
  it('refuses a range with an address that does not parse, built in code', () => {
    expectProblem(rawNet((n) => (n['ips'] = [{ address: '10.0.0.1', dhcp: { ranges: [{ start: '10.0.0.x', end: '10.0.0.9' }] } }])), 'ip.address.invalid', '/network/ip[1]/dhcp/range[1]', ["'10.0.0.x'"]);
  });
});
