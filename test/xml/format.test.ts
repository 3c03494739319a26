/**
 * The formatter, one element family at a time: a model in, the exact libvirt bytes out.
 * Expected strings follow libvirt 11.3's virNetworkDefFormatBuf (see
 * shared/reference/network-xml.md §1 "F" and §5).
 */
import { describe, expect, it } from 'vitest';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { formatNetwork } from '../../src/xml/index.js';

const UUID = '81ff0d90-c91e-6742-64da-4a736edb9a9b';
const HEAD = `  <name>n</name>\n  <uuid>${UUID}</uuid>\n`;

/** Format a network named `n` with a fixed uuid plus the given parts. */
function fmt(parts: Omit<NetworkInit, 'name'>, inactive = false): string {
  return formatNetwork(defineNetwork({ name: 'n', uuid: UUID, ...parts }), { inactive });
}

/** The document libvirt writes for a network whose children after uuid are `body`. */
function doc(body: string, rootAttrs = ''): string {
  return `<network${rootAttrs}>\n${HEAD}${body}</network>\n`;
}

const ISOLATED_BRIDGE = "  <bridge stp='on' delay='0'/>\n";

describe('root and identity', () => {
  it('writes a minimal isolated network with the bridge defaults', () => {
    expect(fmt({})).toBe(doc(ISOLATED_BRIDGE));
  });
  it('generates a v4 uuid when the model has none', () => {
    const xml = formatNetwork(defineNetwork({ name: 'n' }));
    expect(xml).toMatch(/<uuid>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}<\/uuid>\n/);
  });
  it('orders root attributes xmlns:dnsmasq, connections, ipv6, trustGuestRxFilters', () => {
    expect(fmt({ trustGuestRxFilters: false, ipv6: true, connections: 3, dnsmasqOptions: ['a=b'] })).toBe(
      doc(
        `${ISOLATED_BRIDGE}  <dnsmasq:options>\n    <dnsmasq:option value='a=b'/>\n  </dnsmasq:options>\n`,
        " xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0' connections='3' ipv6='yes' trustGuestRxFilters='no'",
      ),
    );
  });
  it('drops ipv6=no, connections=0 and connections with inactive', () => {
    expect(fmt({ ipv6: false, connections: 0 })).toBe(doc(ISOLATED_BRIDGE));
    expect(fmt({ connections: 7 }, true)).toBe(doc(ISOLATED_BRIDGE));
  });
  it('writes title and description escaped, and leaves out empty ones', () => {
    expect(fmt({ title: 'T & <t>', description: 'line 1\nline "2"' })).toBe(
      doc(`  <title>T &amp; &lt;t&gt;</title>\n  <description>line 1\nline &quot;2&quot;</description>\n${ISOLATED_BRIDGE}`),
    );
    expect(fmt({ title: '', description: '' })).toBe(doc(ISOLATED_BRIDGE));
  });
});

describe('metadata', () => {
  it('dumps children like libxml2 with double quotes, nested indentation and mixed content kept inline', () => {
    const xml = fmt({
      metadata: [
        {
          type: 'element',
          name: 'a:x',
          attributes: [
            { name: 'k', value: 'v"1\n<é>' },
            { name: 'xmlns:a', value: 'urn:a' },
          ],
          children: [
            { type: 'element', name: 'a:y', attributes: [], children: [{ type: 'element', name: 'a:z', attributes: [], children: [] }] },
          ],
        },
        {
          type: 'element',
          name: 'b:x',
          attributes: [{ name: 'xmlns:b', value: 'urn:b' }],
          children: [
            { type: 'text', text: 't & "q" é\r' },
            { type: 'element', name: 'b:y', attributes: [], children: [{ type: 'element', name: 'b:z', attributes: [], children: [] }] },
          ],
        },
      ],
    });
    expect(xml).toBe(
      doc(
        '  <metadata>\n' +
          '    <a:x xmlns:a="urn:a" k="v&quot;1&#10;&lt;&#xE9;&gt;">\n' +
          '      <a:y>\n' +
          '        <a:z/>\n' +
          '      </a:y>\n' +
          '    </a:x>\n' +
          '    <b:x xmlns:b="urn:b">t &amp; "q" é&#13;<b:y><b:z/></b:y></b:x>\n' +
          '  </metadata>\n' +
          ISOLATED_BRIDGE,
      ),
    );
  });
  it('leaves out an empty metadata', () => {
    expect(fmt({ metadata: [] })).toBe(doc(ISOLATED_BRIDGE));
  });
});

describe('forward', () => {
  it('synthesises dev from the first interface and lists the pool', () => {
    expect(fmt({ forward: { mode: 'private', interfaces: [{ dev: 'eth1' }, { dev: 'eth2' }] } })).toBe(
      doc("  <forward dev='eth1' mode='private'>\n    <interface dev='eth1'/>\n    <interface dev='eth2'/>\n  </forward>\n"),
    );
  });
  it('uses the short form and writes nat defaults for a bare nat forward', () => {
    expect(fmt({ forward: { mode: 'nat' } })).toBe(doc(`  <forward mode='nat'/>\n${ISOLATED_BRIDGE}`));
  });
  it('writes managed for hostdev, yes or no, and PCI addresses in hex', () => {
    expect(fmt({ forward: { mode: 'hostdev', addresses: [{ domain: 0, bus: 3, slot: 0x1f, function: 7 }] } })).toBe(
      doc(
        "  <forward mode='hostdev' managed='no'>\n" +
          "    <address type='pci' domain='0x0000' bus='0x03' slot='0x1f' function='0x7'/>\n" +
          '  </forward>\n',
      ),
    );
    expect(fmt({ forward: { mode: 'hostdev', managed: true } })).toBe(doc("  <forward mode='hostdev' managed='yes'/>\n"));
  });
  it('with a pf: no dev attribute; the pool is written live and suppressed when inactive', () => {
    const forward: NetworkInit['forward'] = { mode: 'passthrough', pf: { dev: 'eth0' }, interfaces: [{ dev: 'vf0', connections: 2 }] };
    expect(fmt({ forward })).toBe(
      doc("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n    <interface dev='vf0' connections='2'/>\n  </forward>\n"),
    );
    expect(fmt({ forward }, true)).toBe(doc("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"));
  });
  it('writes driver, nat, pf, interfaces in that order', () => {
    expect(
      fmt({
        forward: {
          mode: 'nat',
          driver: { name: 'vfio', model: 'm' },
          nat: { ipv6: true, address: { start: '10.0.0.1', end: '10.0.0.9' }, port: { start: 500, end: 0 } },
          interfaces: [{ dev: 'eth0' }],
        },
        ips: [{ address: '10.0.0.1', prefix: 24 }],
      }),
    ).toBe(
      doc(
        "  <forward dev='eth0' mode='nat'>\n" +
          "    <driver name='vfio' model='m'/>\n" +
          "    <nat ipv6='yes'>\n" +
          "      <address start='10.0.0.1' end='10.0.0.9'/>\n" +
          "      <port start='500'/>\n" +
          '    </nat>\n' +
          "    <interface dev='eth0'/>\n" +
          '  </forward>\n' +
          ISOLATED_BRIDGE +
          "  <ip address='10.0.0.1' prefix='24'>\n  </ip>\n",
      ),
    );
  });
  it('self-closes <nat ipv6> alone, and nat ipv6=no defeats the short form', () => {
    expect(fmt({ forward: { mode: 'nat', nat: { ipv6: false } } })).toBe(
      doc(`  <forward mode='nat'>\n    <nat ipv6='no'/>\n  </forward>\n${ISOLATED_BRIDGE}`),
    );
  });
  it('drops an empty nat and a nat outside mode nat', () => {
    expect(fmt({ forward: { mode: 'nat', nat: { port: { start: 0, end: 0 } } } })).toBe(doc(`  <forward mode='nat'/>\n${ISOLATED_BRIDGE}`));
    expect(fmt({ forward: { mode: 'route', nat: { ipv6: true } } })).toBe(doc(`  <forward mode='route'/>\n${ISOLATED_BRIDGE}`));
  });
  it("keeps libvirt's stray <driver model> after a short-form forward", () => {
    expect(fmt({ forward: { mode: 'hostdev', driver: { model: 'x' } } })).toBe(
      doc("  <forward mode='hostdev' managed='no'/>\n    <driver model='x'/>\n"),
    );
  });
});

describe('bridge, mtu, mac, domain, port', () => {
  it('writes name, zone, stp, delay, macTableManager in that order for routed modes', () => {
    expect(fmt({ forward: { mode: 'open' }, bridge: { name: 'br', zone: 'z', stp: false, delay: 5, macTableManager: 'libvirt' } })).toBe(
      doc("  <forward mode='open'/>\n  <bridge name='br' zone='z' stp='off' delay='5' macTableManager='libvirt'/>\n"),
    );
  });
  it('writes no stp/delay, and no bridge without name, in bridge mode', () => {
    expect(fmt({ forward: { mode: 'bridge' }, bridge: { name: 'br0' } })).toBe(doc("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n"));
    expect(fmt({ forward: { mode: 'bridge' }, bridge: {} })).toBe(doc("  <forward mode='bridge'/>\n"));
    expect(fmt({ forward: { mode: 'bridge' }, bridge: { macTableManager: 'kernel' } })).toBe(
      doc("  <forward mode='bridge'/>\n  <bridge macTableManager='kernel'/>\n"),
    );
  });
  it('writes mtu (not 0), mac in lowercase, domain and port', () => {
    expect(
      fmt({ mtu: 9000, mac: '52:54:00:AB:cd:0E', domain: { name: 'example.org', localOnly: true, register: false }, port: { isolated: true } }),
    ).toBe(
      doc(
        `${ISOLATED_BRIDGE}  <mtu size='9000'/>\n  <mac address='52:54:00:ab:cd:0e'/>\n` +
          "  <domain name='example.org' localOnly='yes' register='no'/>\n  <port isolated='yes'/>\n",
      ),
    );
    expect(fmt({ mtu: 0, port: {} })).toBe(doc(ISOLATED_BRIDGE));
    expect(fmt({ mac: '2:54:0:A:b:c' })).toBe(doc(`${ISOLATED_BRIDGE}  <mac address='02:54:00:0a:0b:0c'/>\n`));
  });
});

describe('dns', () => {
  it('regroups forwarders, txt, srv, hosts and writes domain before addr', () => {
    expect(
      fmt({
        dns: {
          enable: true,
          forwardPlainNames: false,
          hosts: [{ ip: '10.0.0.5', hostnames: ['a', 'b'] }],
          srvs: [
            { service: 'ldap', protocol: 'tcp', domain: 'd', target: 't', port: 389, priority: 0, weight: 3 },
            { service: 's', protocol: 'udp' },
          ],
          txts: [{ name: 'k', value: 'v w' }],
          forwarders: [{ addr: '8.8.8.8', domain: 'x.org' }, { addr: '2001:db8::1' }, { domain: 'local' }],
        },
      }),
    ).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <dns enable='yes' forwardPlainNames='no'>\n" +
          "    <forwarder domain='x.org' addr='8.8.8.8'/>\n" +
          "    <forwarder addr='2001:db8::1'/>\n" +
          "    <forwarder domain='local'/>\n" +
          "    <txt name='k' value='v w'/>\n" +
          "    <srv service='ldap' protocol='tcp' domain='d' target='t' port='389' weight='3'/>\n" +
          "    <srv service='s' protocol='udp'/>\n" +
          "    <host ip='10.0.0.5'>\n      <hostname>a</hostname>\n      <hostname>b</hostname>\n    </host>\n" +
          '  </dns>\n',
      ),
    );
  });
  it('self-closes a dns with attributes only and drops an empty one', () => {
    expect(fmt({ dns: { enable: false } })).toBe(doc(`${ISOLATED_BRIDGE}  <dns enable='no'/>\n`));
    expect(fmt({ dns: { hosts: [] } })).toBe(doc(ISOLATED_BRIDGE));
  });
});

describe('ip', () => {
  it('never self-closes and writes family, address, netmask, prefix, localPtr in order', () => {
    expect(fmt({ ips: [{ family: 'ipv6', address: '2001:db8::1', prefix: 64, localPtr: true }, { address: '10.1.2.3', prefix: 0 }] })).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <ip family='ipv6' address='2001:db8::1' prefix='64' localPtr='yes'>\n  </ip>\n" +
          "  <ip address='10.1.2.3'>\n  </ip>\n",
      ),
    );
  });
  it('writes tftp, then dhcp ranges, hosts, bootp; leases with unit default minutes', () => {
    expect(
      fmt({
        ips: [
          {
            address: '192.168.1.1',
            netmask: '255.255.255.0',
            tftp: { root: '/srv/tftp' },
            dhcp: {
              bootp: { file: 'pxe.0', server: '192.168.1.5' },
              hosts: [
                { mac: '00:16:3E:77:e2:ed', name: 'h', ip: '192.168.1.10', lease: { expiry: 3, unit: 'hours' } },
                { name: 'only', ip: '192.168.1.11' },
              ],
              ranges: [
                { start: '192.168.1.100', end: '192.168.1.200', lease: { expiry: 0, unit: 'hours' } },
                { start: '192.168.1.201', end: '192.168.1.210', lease: { expiry: 30 } },
              ],
            },
          },
        ],
      }),
    ).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <ip address='192.168.1.1' netmask='255.255.255.0'>\n" +
          "    <tftp root='/srv/tftp'/>\n" +
          '    <dhcp>\n' +
          "      <range start='192.168.1.100' end='192.168.1.200'>\n        <lease expiry='0'/>\n      </range>\n" +
          "      <range start='192.168.1.201' end='192.168.1.210'>\n        <lease expiry='30' unit='minutes'/>\n      </range>\n" +
          "      <host mac='00:16:3E:77:e2:ed' name='h' ip='192.168.1.10'>\n        <lease expiry='3' unit='hours'/>\n      </host>\n" +
          "      <host name='only' ip='192.168.1.11'/>\n" +
          "      <bootp file='pxe.0' server='192.168.1.5'/>\n" +
          '    </dhcp>\n' +
          '  </ip>\n',
      ),
    );
  });
  it('drops a dhcp that only has bootp', () => {
    expect(fmt({ ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { bootp: { file: 'f' } } }] })).toBe(
      doc(`${ISOLATED_BRIDGE}  <ip address='10.0.0.1' prefix='8'>\n  </ip>\n`),
    );
  });
  it('writes IPv6 hosts with id', () => {
    expect(fmt({ ips: [{ family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ id: '0:1:AB', ip: 'fd00::5' }] } }] })).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <ip family='ipv6' address='fd00::1' prefix='64'>\n    <dhcp>\n      <host id='0:1:AB' ip='fd00::5'/>\n    </dhcp>\n  </ip>\n",
      ),
    );
  });
});

describe('route', () => {
  it('keeps prefix 0, drops metric 0', () => {
    expect(
      fmt({
        routes: [
          { address: '0.0.0.0', prefix: 0, gateway: '10.0.0.2', metric: 0 },
          { family: 'ipv6', address: '2001:db8::', prefix: 48, gateway: 'fd00::2', metric: 5 },
          { address: '10.9.0.0', netmask: '255.255.0.0', gateway: '10.0.0.3' },
        ],
      }),
    ).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <route address='0.0.0.0' prefix='0' gateway='10.0.0.2'/>\n" +
          "  <route family='ipv6' address='2001:db8::' prefix='48' gateway='fd00::2' metric='5'/>\n" +
          "  <route address='10.9.0.0' netmask='255.255.0.0' gateway='10.0.0.3'/>\n",
      ),
    );
  });
});

describe('vlan, bandwidth, virtualport, portgroup', () => {
  it('writes vlan trunk and native mode', () => {
    expect(fmt({ forward: { mode: 'bridge' }, vlan: { trunk: true, tags: [{ id: 10, nativeMode: 'untagged' }, { id: 20 }] } })).toBe(
      doc("  <forward mode='bridge'/>\n  <vlan trunk='yes'>\n    <tag id='10' nativeMode='untagged'/>\n    <tag id='20'/>\n  </vlan>\n"),
    );
    expect(fmt({ forward: { mode: 'bridge' }, vlan: { trunk: false, tags: [{ id: 1 }] } })).toBe(
      doc("  <forward mode='bridge'/>\n  <vlan>\n    <tag id='1'/>\n  </vlan>\n"),
    );
  });
  it('writes rates as average, peak, floor, burst, dropping zero ones', () => {
    expect(fmt({ bandwidth: { inbound: { burst: 4, peak: 3, average: 1 }, outbound: { average: 0, peak: 9 } } })).toBe(
      doc(`${ISOLATED_BRIDGE}  <bandwidth>\n    <inbound average='1' peak='3' burst='4'/>\n  </bandwidth>\n`),
    );
  });
  it('writes virtualport parameters allowed for the type, in libvirt order', () => {
    const parameters = {
      profileid: 'p',
      interfaceid: '11111111-2222-4333-8444-555555555555',
      instanceid: '66666666-2222-4333-8444-555555555555',
      typeidversion: 1,
      typeid: 2,
      managerid: 3,
    };
    expect(fmt({ forward: { mode: 'bridge' }, virtualport: { type: '802.1Qbg', parameters } })).toBe(
      doc(
        "  <forward mode='bridge'/>\n  <virtualport type='802.1Qbg'>\n" +
          "    <parameters managerid='3' typeid='2' typeidversion='1' instanceid='66666666-2222-4333-8444-555555555555'/>\n" +
          '  </virtualport>\n',
      ),
    );
    expect(fmt({ forward: { mode: 'bridge' }, virtualport: { type: 'openvswitch', parameters } })).toBe(
      doc(
        "  <forward mode='bridge'/>\n  <virtualport type='openvswitch'>\n" +
          "    <parameters interfaceid='11111111-2222-4333-8444-555555555555' profileid='p'/>\n  </virtualport>\n",
      ),
    );
    expect(fmt({ forward: { mode: 'bridge' }, virtualport: { type: 'midonet' } })).toBe(
      doc("  <forward mode='bridge'/>\n  <virtualport type='midonet'/>\n"),
    );
  });
  it('writes portgroups last with vlan, virtualport, bandwidth, never self-closed', () => {
    expect(
      fmt({
        forward: { mode: 'bridge' },
        virtualport: { type: 'openvswitch' },
        portgroups: [
          {
            name: 'pg',
            default: true,
            trustGuestRxFilters: true,
            bandwidth: { outbound: { average: 5 } },
            virtualport: { parameters: { profileid: 'x' } },
            vlan: { tags: [{ id: 7 }] },
          },
          { name: 'empty', default: false },
        ],
        dnsmasqOptions: ['x'],
      }),
    ).toBe(
      doc(
        "  <forward mode='bridge'/>\n  <virtualport type='openvswitch'/>\n" +
          "  <portgroup name='pg' default='yes' trustGuestRxFilters='yes'>\n" +
          "    <vlan>\n      <tag id='7'/>\n    </vlan>\n" +
          "    <virtualport>\n      <parameters profileid='x'/>\n    </virtualport>\n" +
          "    <bandwidth>\n      <outbound average='5'/>\n    </bandwidth>\n" +
          '  </portgroup>\n' +
          "  <portgroup name='empty'>\n  </portgroup>\n" +
          "  <dnsmasq:options>\n    <dnsmasq:option value='x'/>\n  </dnsmasq:options>\n",
        " xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'",
      ),
    );
  });
});

describe('unknown content kept by preserveUnknown', () => {
  const el = (name: string) => ({ type: 'element' as const, name, attributes: [{ name: 'a', value: "1'2" }], children: [] });
  it('writes unknown attributes after the known ones and unknown elements after their known sibling', () => {
    expect(
      fmt({
        unknown: {
          attributes: [{ name: 'extra', value: 'x&y' }],
          elements: [{ element: el('first') }, { element: el('afterBridge'), after: 'bridge' }, { element: el('late'), after: 'nosuch' }],
        },
        bridge: { name: 'br', unknown: { attributes: [{ name: 'q', value: '1' }], elements: [{ element: el('inside') }] } },
        ips: [
          { address: '10.0.0.1', prefix: 24 },
          { address: '10.0.1.1', prefix: 24, unknown: { elements: [{ element: el('ipchild'), after: 'tftp' }] } },
        ],
      }),
    ).toBe(
      "<network extra='x&amp;y'>\n" +
        '  <first a="1\'2"/>\n' +
        HEAD +
        "  <bridge name='br' stp='on' delay='0' q='1'>\n" +
        '    <inside a="1\'2"/>\n' +
        '  </bridge>\n' +
        '  <afterBridge a="1\'2"/>\n' +
        "  <ip address='10.0.0.1' prefix='24'>\n  </ip>\n" +
        "  <ip address='10.0.1.1' prefix='24'>\n" +
        '    <ipchild a="1\'2"/>\n' +
        '  </ip>\n' +
        '  <late a="1\'2"/>\n' +
        '</network>\n',
    );
  });
  it('does not bring back an element libvirt omits for an empty unknown record', () => {
    expect(fmt({ dns: { unknown: {} }, port: { unknown: { attributes: [], elements: [] } }, bandwidth: { unknown: {} } })).toBe(doc(ISOLATED_BRIDGE));
  });
  it('puts an unknown element after the last of several known siblings of that name', () => {
    expect(
      fmt({
        ips: [{ address: '10.0.0.1', prefix: 24 }, { address: '10.0.1.1', prefix: 24 }],
        routes: [{ address: '10.9.0.0', prefix: 16, gateway: '10.0.0.2' }],
        unknown: { elements: [{ element: el('u'), after: 'ip' }] },
      }),
    ).toBe(
      doc(
        ISOLATED_BRIDGE +
          "  <ip address='10.0.0.1' prefix='24'>\n  </ip>\n" +
          "  <ip address='10.0.1.1' prefix='24'>\n  </ip>\n" +
          '  <u a="1\'2"/>\n' +
          "  <route address='10.9.0.0' prefix='16' gateway='10.0.0.2'/>\n",
      ),
    );
  });
});
