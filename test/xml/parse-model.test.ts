/** One document per element family, asserting the exact model the parser builds. */
import { describe, expect, it } from 'vitest';
import { parseNetwork, type ParseOptions } from '../../src/xml/index.js';

const parse = (body: string, rootAttrs = '', options: ParseOptions = {}) =>
  parseNetwork(`<network${rootAttrs}>\n  <name>n</name>\n${body}\n</network>\n`, { generateUuid: false, ...options });

describe('root, name, uuid, title, description', () => {
  it('reads the root attributes and the text children', () => {
    const net = parseNetwork(
      `<network ipv6='yes' trustGuestRxFilters='no' connections='3'>
  <name>a 'quoted' "name" &amp; more</name>
  <uuid> 81FF0D90 c91e-6742-64da-4a736edb9a9b </uuid>
  <title>Short title</title>
  <description>Line one
line two</description>
</network>`,
    );
    expect(net).toEqual({
      name: `a 'quoted' "name" & more`,
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
      title: 'Short title',
      description: 'Line one\nline two',
      ipv6: true,
      trustGuestRxFilters: false,
    });
  });

  it("stores ipv6='no' as absent and generates a v4 uuid when there is none", () => {
    const net = parseNetwork(`<network ipv6='no'><name>x</name><uuid></uuid></network>`);
    expect(net.ipv6).toBeUndefined();
    expect(net.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('takes the first <name> and ignores later ones', () => {
    expect(parseNetwork('<network><name>first</name><name>second</name></network>').name).toBe('first');
  });
});

describe('bridge, mac, mtu, domain, port', () => {
  it('reads them with libvirt conventions', () => {
    const net = parse(`  <bridge name='virbr9' zone='trusted' stp='no' delay=' +5' macTableManager='libvirt'/>
  <mac address='52:54:0:AB:c:1'/>
  <mtu size='9000'/>
  <domain name='example.com' localOnly='yes' register='yes'/>
  <port isolated='yes'/>
  <ip address='10.0.0.1' prefix='24'/>`);
    expect(net.bridge).toEqual({ name: 'virbr9', zone: 'trusted', stp: true, delay: 5, macTableManager: 'libvirt' });
    expect(net.mac).toBe('52:54:00:ab:0c:01');
    expect(net.mtu).toBe(9000);
    expect(net.domain).toEqual({ name: 'example.com', localOnly: true, register: true });
    expect(net.port).toEqual({ isolated: true });
  });

  it("turns stp off only for 'off', treats empty attributes as absent, wraps a negative mtu", () => {
    const net = parse(`  <bridge name='' stp='off'/>\n  <mtu size='-1'/>`);
    expect(net.bridge).toEqual({ stp: false });
    expect(net.mtu).toBe(4294967295);
  });

  it('keeps an empty domain name (read as a plain attribute) and drops a domain without name', () => {
    expect(parse(`<domain name=''/>`).domain).toEqual({ name: '' });
    expect(parse(`<domain localOnly='no'/>`).domain).toBeUndefined();
  });
});

describe('forward', () => {
  it('defaults to nat and reads nat address, port and ipv6', () => {
    const net = parse(`  <forward>
    <nat ipv6='yes'>
      <address start='192.0.2.10' end='192.0.2.20'/>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <ip address='10.0.0.1' prefix='24'/>`);
    expect(net.forward).toEqual({
      mode: 'nat',
      nat: { ipv6: true, address: { start: '192.0.2.10', end: '192.0.2.20' }, port: { start: 1024, end: 65535 } },
    });
  });

  it('makes forward dev the first interface and checks it against <interface>', () => {
    const net = parse(`  <forward mode='bridge' dev='eth0'>
    <interface dev='eth0'/>
    <interface dev='eth1'/>
  </forward>`);
    expect(net.forward).toEqual({ mode: 'bridge', interfaces: [{ dev: 'eth0' }, { dev: 'eth1' }] });
    expect(parse(`<forward mode='route' dev='eth2'/><ip address='10.0.0.1'/>`).forward).toEqual({
      mode: 'route',
      interfaces: [{ dev: 'eth2' }],
    });
  });

  it('reads a hostdev PCI pool with base-0 numbers, managed and driver', () => {
    const net = parse(`  <forward mode='hostdev' managed='YES'>
    <driver name='vfio' model='virtio'/>
    <address type='pci' domain='0x0000' bus='0x02' slot='010' function='7'/>
    <address type='pci' domain='0' bus='3' slot='0x1f' function='0'/>
  </forward>`);
    expect(net.forward).toEqual({
      mode: 'hostdev',
      managed: true,
      driver: { name: 'vfio', model: 'virtio' },
      addresses: [
        { domain: 0, bus: 2, slot: 8, function: 7 },
        { domain: 0, bus: 3, slot: 31, function: 0 },
      ],
    });
  });

  it('reads a pf, and treats mode none as no forward at all', () => {
    expect(parse(`<forward mode='passthrough'><pf dev='eth3'/></forward>`).forward).toEqual({
      mode: 'passthrough',
      pf: { dev: 'eth3' },
    });
    expect(parse(`<forward mode='none'/>`).forward).toBeUndefined();
    expect(parse(`<forward mode=''/><ip address='10.0.0.1'/>`).forward).toEqual({ mode: 'nat' });
  });
});

describe('dns', () => {
  it('groups records by kind, canonicalises addresses, keeps text verbatim', () => {
    const net = parse(`  <dns enable='yes' forwardPlainNames='no'>
    <host ip='10.0.0.5'><hostname>a</hostname><hostname>b.example</hostname></host>
    <txt name='example' value='some "value", with &lt;chars&gt;'/>
    <forwarder addr='2001:DB8::53'/>
    <srv service='name' protocol='tcp' domain='d.example' target='t.example' port='1' priority='10' weight='0'/>
    <forwarder domain='example.com' addr='8.8.8.8'/>
    <srv service='s_2' protocol='udp'/>
  </dns>`);
    expect(net.dns).toEqual({
      enable: true,
      forwardPlainNames: false,
      forwarders: [{ addr: '2001:db8::53' }, { addr: '8.8.8.8', domain: 'example.com' }],
      txts: [{ name: 'example', value: 'some "value", with <chars>' }],
      srvs: [
        { service: 'name', protocol: 'tcp', domain: 'd.example', target: 't.example', port: 1, priority: 10, weight: 0 },
        { service: 's_2', protocol: 'udp' },
      ],
      hosts: [{ ip: '10.0.0.5', hostnames: ['a', 'b.example'] }],
    });
  });

  it('drops an empty <dns/>', () => {
    expect(parse('<dns/>').dns).toBeUndefined();
  });
});

describe('ip, dhcp, tftp', () => {
  it('reads an IPv4 ip with ranges, hosts, leases, bootp and tftp', () => {
    const net = parse(`  <ip address='192.168.122.1' netmask='255.255.255.0' localPtr='yes'>
    <tftp root='/var/lib/tftp'/>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'>
        <lease expiry='0x10' unit='hours'/>
      </range>
      <host mac='00:16:3E:77:E2:ED' name='a.example.com' ip='192.168.122.10'><lease expiry='0'/></host>
      <host name='b' ip='192.168.122.11'/>
      <bootp file='pxelinux.0' server='192.168.122.1'/>
    </dhcp>
  </ip>`);
    expect(net.ips).toEqual([
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        localPtr: true,
        tftp: { root: '/var/lib/tftp' },
        dhcp: {
          ranges: [{ start: '192.168.122.2', end: '192.168.122.254', lease: { expiry: 16, unit: 'hours' } }],
          hosts: [
            { mac: '00:16:3E:77:E2:ED', name: 'a.example.com', ip: '192.168.122.10', lease: { expiry: 0, unit: 'minutes' } },
            { name: 'b', ip: '192.168.122.11' },
          ],
          bootp: { file: 'pxelinux.0', server: '192.168.122.1' },
        },
      },
    ]);
  });

  it('accepts inet_aton short forms and stores the dotted quad; IPv6 is stored compressed lowercase', () => {
    const net = parse(`  <ip address='10.1' prefix='8'><dhcp><range start='0xa.0.0.2' end='012.0.0.9'/></dhcp></ip>
  <ip family='ipv6' address='2001:DB8:0:0:0:0:0:1' prefix='64'>
    <dhcp>
      <range start='2001:db8::100' end='2001:db8::1ff'/>
      <host id='0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66' name='h6' ip='2001:db8::2'/>
    </dhcp>
  </ip>`);
    expect(net.ips).toEqual([
      { address: '10.0.0.1', prefix: 8, dhcp: { ranges: [{ start: '10.0.0.2', end: '10.0.0.9' }] } },
      {
        family: 'ipv6',
        address: '2001:db8::1',
        prefix: 64,
        dhcp: {
          ranges: [{ start: '2001:db8::100', end: '2001:db8::1ff' }],
          hosts: [{ id: '0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66', name: 'h6', ip: '2001:db8::2' }],
        },
      },
    ]);
  });

  it('drops prefix 0, ignores a lease without expiry and bootp on IPv6', () => {
    const net = parse(`  <ip family='ipv6' address='fd00::1' prefix='0'>
    <dhcp><host name='x' ip='fd00::5'><lease unit='hours'/></host><bootp file='f'/></dhcp>
  </ip>`);
    expect(net.ips).toEqual([{ family: 'ipv6', address: 'fd00::1', dhcp: { hosts: [{ name: 'x', ip: 'fd00::5' }] } }]);
  });
});

describe('route', () => {
  it('keeps prefix 0, netmask, metric and canonical addresses', () => {
    const net = parse(`  <ip address='192.168.122.1' netmask='255.255.255.0'/>
  <ip family='ipv6' address='2001:db8:ca2:2::1' prefix='64'/>
  <route address='0.0.0.0' prefix='0' gateway='192.168.122.2' metric='5'/>
  <route address='192.168.222.0' netmask='255.255.255.0' gateway='192.168.122.3'/>
  <route family='ipv6' address='2001:DB8:AC10:FD01::' prefix='64' gateway='2001:db8:ca2:2::2'/>`);
    expect(net.routes).toEqual([
      { address: '0.0.0.0', prefix: 0, gateway: '192.168.122.2', metric: 5 },
      { address: '192.168.222.0', netmask: '255.255.255.0', gateway: '192.168.122.3' },
      { family: 'ipv6', address: '2001:db8:ac10:fd01::', prefix: 64, gateway: '2001:db8:ca2:2::2' },
    ]);
  });
});

describe('virtualport, portgroup, vlan, bandwidth', () => {
  it('reads them at network and portgroup level', () => {
    const net = parse(`  <forward mode='bridge'/>
  <bridge name='ovsbr0'/>
  <vlan trunk='yes'><tag id='42'/></vlan>
  <bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound average='128'/></bandwidth>
  <virtualport type='openvswitch'><parameters interfaceid='09B11C53-8B5C-4EEB-8F00-D84EAA0AAA4F' profileid='p1'/></virtualport>
  <portgroup name='engineering' default='YES' trustGuestRxFilters='yes'>
    <virtualport><parameters profileid='eng'/></virtualport>
    <vlan><tag id='7' nativeMode='untagged'/><tag id='8'/></vlan>
    <bandwidth><inbound average='10'/></bandwidth>
  </portgroup>
  <portgroup name='sales' default='no'>
    <vlan trunk='no'><tag id='0'/></vlan>
  </portgroup>`);
    expect(net.vlan).toEqual({ trunk: true, tags: [{ id: 42 }] });
    expect(net.bandwidth).toEqual({ inbound: { average: 1000, peak: 5000, burst: 1024 }, outbound: { average: 128 } });
    expect(net.virtualport).toEqual({
      type: 'openvswitch',
      parameters: { interfaceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f', profileid: 'p1' },
    });
    expect(net.portgroups).toEqual([
      {
        name: 'engineering',
        default: true,
        trustGuestRxFilters: true,
        virtualport: { parameters: { profileid: 'eng' } },
        vlan: { trunk: true, tags: [{ id: 7, nativeMode: 'untagged' }, { id: 8 }] },
        bandwidth: { inbound: { average: 10 } },
      },
      { name: 'sales', vlan: { tags: [{ id: 0 }] } },
    ]);
  });

  it('reads 802.1Qbg parameters in base 0 and drops an empty <virtualport> in a portgroup', () => {
    const net = parse(`  <forward mode='vepa'/>
  <virtualport type='802.1Qbg'><parameters managerid='0x0b' typeid='1193047' typeidversion='2' instanceid='c7a5fdbd-edaf-9455-926a-d65c16db1809'/></virtualport>
  <portgroup name='p'><virtualport/><bandwidth/></portgroup>`);
    expect(net.virtualport).toEqual({
      type: '802.1Qbg',
      parameters: { managerid: 11, typeid: 1193047, typeidversion: 2, instanceid: 'c7a5fdbd-edaf-9455-926a-d65c16db1809' },
    });
    expect(net.portgroups).toEqual([{ name: 'p' }]);
  });
});

describe('metadata and dnsmasq options', () => {
  it('keeps one namespaced child per namespace, self-contained, and drops un-namespaced ones', () => {
    const net = parseNetwork(
      `<network xmlns:app1="http://foo.org/">
  <name>m</name>
  <metadata>
    <app1:foo>fooish</app1:foo>
    <plain>dropped</plain>
    <app1:again/>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish<app2:x a='1'/></app2:bar>
    <baz xmlns="http://baz.net/"><q/></baz>
  </metadata>
</network>`,
      { generateUuid: false },
    );
    expect(net.metadata).toEqual([
      {
        type: 'element',
        name: 'app1:foo',
        attributes: [{ name: 'xmlns:app1', value: 'http://foo.org/' }],
        children: [{ type: 'text', text: 'fooish' }],
      },
      {
        type: 'element',
        name: 'app2:bar',
        attributes: [
          { name: 'xmlns:app2', value: 'http://bar.com/' },
          { name: 'maman', value: 'baz' },
        ],
        children: [
          { type: 'text', text: 'barish' },
          { type: 'element', name: 'app2:x', attributes: [{ name: 'a', value: '1' }], children: [] },
        ],
      },
      {
        type: 'element',
        name: 'baz',
        attributes: [{ name: 'xmlns', value: 'http://baz.net/' }],
        children: [{ type: 'element', name: 'q', attributes: [], children: [] }],
      },
    ]);
  });

  it('finds dnsmasq options by namespace URI under any prefix', () => {
    const net = parseNetwork(
      `<network xmlns:dm='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>d</name>
  <dm:options><dm:option value='cache-size=0'/><dm:option value="log-queries"/></dm:options>
  <other:options xmlns:other='urn:not-dnsmasq'><other:option value='ignored'/></other:options>
</network>`,
      { generateUuid: false },
    );
    expect(net.dnsmasqOptions).toEqual(['cache-size=0', 'log-queries']);
  });
});
