import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type PortGroupInit = NonNullable<NetworkInit['portgroups']>[number];
/** An Open vSwitch bridge network, where VLANs are allowed. */
const ovs = (edit: (n: NetworkInit) => void = () => {}) =>
  net((n) => {
    n.forward = { mode: 'bridge' };
    n.ips = [];
    delete n.mac;
    n.bridge = { name: 'ovsbr0' };
    n.virtualport = { type: 'openvswitch' };
    edit(n);
  });
/** A plain Linux bridge network: no VLAN support. */
const plain = (edit: (n: NetworkInit) => void = () => {}) =>
  ovs((n) => {
    delete n.virtualport;
    edit(n);
  });

describe('validateNetwork: vlan', () => {
  it('accepts VLANs on openvswitch, hostdev and passthrough networks', () => {
    expect(codes(ovs((n) => (n.vlan = { trunk: true, tags: [{ id: 42 }, { id: 47, nativeMode: 'untagged' }] })))).toEqual([]);
    expect(codes(net((n) => {
      n.forward = { mode: 'hostdev', addresses: [{ domain: 0, bus: 3, slot: 0, function: 1 }] };
      n.ips = [];
      delete n.mac;
      delete n.bridge;
      n.vlan = { tags: [{ id: 5 }] };
    }))).toEqual([]);
  });
  it('refuses a vlan without tags', () => {
    expectProblem(ovs((n) => (n.vlan = { tags: [] })), 'vlan.no-tags', '/network/vlan', ['no tag']);
  });
  it('refuses a tag id above 4095, built in code', () => {
    const n = rawNet((x) => {
      x['forward'] = { mode: 'passthrough', pf: { dev: 'eth0' } };
      x['ips'] = [];
      delete x['mac'];
      delete x['bridge'];
      x['vlan'] = { tags: [{ id: 4096 }] };
    });
    expectProblem(n, 'vlan.tag.id.out-of-range', '/network/vlan/tag[1]/@id', ['4096', '4095']);
  });
  it('allows one native tag', () => {
    expectProblem(ovs((n) => (n.vlan = { tags: [{ id: 1, nativeMode: 'tagged' }, { id: 2, nativeMode: 'untagged' }] })), 'vlan.native.duplicate', '/network/vlan/tag[2]/@nativeMode', ['tags 1 and 2']);
  });
  it("refuses trunk='no' with several tags or a native tag", () => {
    expectProblem(ovs((n) => (n.vlan = { trunk: false, tags: [{ id: 1 }, { id: 2 }] })), 'vlan.trunk.required', '/network/vlan/@trunk', ['2 given']);
    expectProblem(ovs((n) => (n.vlan = { trunk: false, tags: [{ id: 7, nativeMode: 'tagged' }] })), 'vlan.trunk.no-with-native', '/network/vlan/@trunk', ['tag 7']);
    expect(codes(ovs((n) => (n.vlan = { trunk: false, tags: [{ id: 7 }] })))).toEqual([]);
  });
  it('refuses a VLAN on a network type without VLAN support', () => {
    expectProblem(plain((n) => (n.vlan = { tags: [{ id: 5 }] })), 'vlan.not-allowed', '/network/vlan', ["mode='bridge'"]);
    expectProblem(net((n) => (n.vlan = { tags: [{ id: 5 }] })), 'vlan.not-allowed', '/network/vlan', ["mode='nat'"]);
  });
  it('checks portgroup VLANs against the portgroup virtualport', () => {
    const pg = (g: PortGroupInit) => (n: NetworkInit) => (n.portgroups = [g]);
    expect(codes(plain(pg({ name: 'a', vlan: { tags: [{ id: 3 }] }, virtualport: { type: 'openvswitch' } })))).toEqual([]);
    expectProblem(plain(pg({ name: 'a', vlan: { tags: [{ id: 3 }] } })), 'vlan.not-allowed', '/network/portgroup[1]/vlan', ["portgroup 'a'", "mode='bridge'"]);
    expectProblem(ovs(pg({ name: 'b', vlan: { tags: [{ id: 3 }] }, virtualport: { type: '802.1Qbh' } })), 'vlan.not-allowed', '/network/portgroup[1]/vlan', ["portgroup 'b'", "'802.1Qbh'"]);
    expectProblem(plain(pg({ name: 'c', vlan: { tags: [] } })), 'vlan.no-tags', '/network/portgroup[1]/vlan', ['no tag']);
  });
  it('forgives a network VLAN on a plain bridge when a default portgroup exists, as libvirt does', () => {
    const n = plain((x) => {
      x.vlan = { tags: [{ id: 5 }] };
      x.portgroups = [{ name: 'ovs', default: true, virtualport: { type: 'openvswitch' } }];
    });
    expect(codes(n)).toEqual([]);
  });
});

describe('validateNetwork: virtualport', () => {
  it('needs a type at network level but not in a portgroup', () => {
    expectProblem(ovs((n) => (n.virtualport = {})), 'virtualport.type.missing', '/network/virtualport/@type', ['virtualport type']);
    expect(codes(ovs((n) => (n.portgroups = [{ name: 'p', virtualport: { parameters: { interfaceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' } } }])))).toEqual([]);
  });
  it('refuses parameters the type does not take', () => {
    expectProblem(ovs((n) => (n.virtualport = { type: 'openvswitch', parameters: { managerid: 11 } })), 'virtualport.parameter.not-allowed', '/network/virtualport/parameters/@managerid', ['managerid', '11', "'openvswitch'"]);
    expectProblem(ovs((n) => (n.virtualport = { type: '802.1Qbg', parameters: { profileid: 'p' } })), 'virtualport.parameter.not-allowed', '/network/virtualport/parameters/@profileid', ["'p'", "'802.1Qbg'"]);
    expectProblem(ovs((n) => (n.portgroups = [{ name: 'x', virtualport: { type: '802.1Qbh', parameters: { typeid: 1 } } }])), 'virtualport.parameter.not-allowed', '/network/portgroup[1]/virtualport/parameters/@typeid', ['typeid', "'802.1Qbh'"]);
    expect(codes(ovs((n) => (n.virtualport = { type: 'midonet', parameters: { managerid: 1, profileid: 'x' } })))).toEqual([]);
  });
  it('checks parameter ranges', () => {
    expectProblem(ovs((n) => (n.virtualport = { type: '802.1Qbg', parameters: { managerid: 256 } })), 'virtualport.parameter.out-of-range', '/network/virtualport/parameters/@managerid', ['256', '255']);
    expectProblem(ovs((n) => (n.virtualport = { type: '802.1Qbg', parameters: { typeid: 0x1000000 } })), 'virtualport.parameter.out-of-range', '/network/virtualport/parameters/@typeid', ['16777216']);
    expectProblem(ovs((n) => (n.virtualport = { type: '802.1Qbh', parameters: { profileid: 'p'.repeat(40) } })), 'virtualport.parameter.out-of-range', '/network/virtualport/parameters/@profileid', ['pppp', '40 > 39']);
    expectProblem(rawNet((n) => (n['virtualport'] = { type: '802.1Qbg', parameters: { instanceid: 'nope' } })), 'uuid.invalid', '/network/virtualport/parameters/@instanceid', ["'nope'"]);
  });
});

describe('validateNetwork: bandwidth', () => {
  it('accepts network and portgroup bandwidth on a nat network', () => {
    expect(codes(net((n) => {
      n.bandwidth = { inbound: { average: 1000, peak: 5000, burst: 1024 }, outbound: { average: 1000 } };
      n.portgroups = [{ name: 'p', bandwidth: { inbound: { average: 10 } } }];
    }))).toEqual([]);
  });
  it('needs average (or floor) and average for peak/burst', () => {
    expectProblem(net((n) => (n.bandwidth = { inbound: {} })), 'bandwidth.rate.missing-average', '/network/bandwidth/inbound', ['<inbound>', 'average or floor']);
    expectProblem(net((n) => (n.bandwidth = { outbound: { floor: 1, peak: 20 } })), 'bandwidth.rate.peak-burst-need-average', '/network/bandwidth/outbound', ["'peak' (20)"]);
  });
  it('refuses floor at network and portgroup level', () => {
    expectProblem(net((n) => (n.portgroups = [{ name: 'p', bandwidth: { inbound: { floor: 100 } } }])), 'bandwidth.rate.floor.not-allowed', '/network/portgroup[1]/bandwidth/inbound/@floor', ['floor 100', "portgroup 'p'"]);
  });
  it('refuses values above the limits', () => {
    expectProblem(net((n) => (n.bandwidth = { inbound: { average: 10, burst: 4194304 } })), 'bandwidth.rate.too-big', '/network/bandwidth/inbound/@burst', ['4194304', '4194303']);
    expectProblem(rawNet((n) => (n['bandwidth'] = { outbound: { average: 2 ** 55 } })), 'bandwidth.rate.too-big', '/network/bandwidth/outbound/@average', [String(2 ** 55)]);
  });
  it('allows network bandwidth in mode bridge only with a bridge name, never in the pool modes', () => {
    expect(codes(plain((n) => (n.bandwidth = { inbound: { average: 10 } })))).toEqual([]);
    const direct = net((n) => {
      n.forward = { mode: 'private', interfaces: [{ dev: 'eth0' }] };
      n.ips = [];
      delete n.mac;
      delete n.bridge;
      n.bandwidth = { inbound: { average: 10 } };
      n.portgroups = [{ name: 'p', bandwidth: { inbound: { average: 10 } } }];
    });
    expectProblem(direct, 'bandwidth.not-allowed', '/network/bandwidth', ["mode='private'"]);
    expectProblem(direct, 'portgroup.bandwidth.not-allowed', '/network/portgroup[1]/bandwidth', ["portgroup 'p'", "mode='private'"]);
  });
});

describe('validateNetwork: portgroups', () => {
  it('needs a unique, non-empty name', () => {
    expectProblem(net((n) => (n.portgroups = [{ name: '' }])), 'portgroup.name.empty', '/network/portgroup[1]/@name', ['portgroup 1']);
    expectProblem(net((n) => (n.portgroups = [{ name: 'a' }, { name: 'b' }, { name: 'a' }])), 'portgroup.name.duplicate', '/network/portgroup[3]/@name', ["'a'", 'portgroups 1 and 3']);
  });
  it('allows one default', () => {
    expectProblem(net((n) => (n.portgroups = [{ name: 'a', default: true }, { name: 'b', default: false }, { name: 'c', default: true }])), 'portgroup.default.multiple', '/network/portgroup[3]/@default', ["'a'", "'c'"]);
  });
});

describe('validateNetwork: dnsmasq options', () => {
  it('refuses a newline, carriage return or NUL in an option value', () => {
    expect(codes(net((n) => (n.dnsmasqOptions = ['foo=bar', 'cname=*.foo.example.com,master.example.com'])))).toEqual([]);
    expectProblem(net((n) => (n.dnsmasqOptions = ['foo=bar', 'a\ndhcp-script=/tmp/x'])), 'string.unsafe-char', '/network/dnsmasq:options/dnsmasq:option[2]/@value', ['a\\ndhcp-script=/tmp/x']);
  });
});
