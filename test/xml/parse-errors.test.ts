/**
 * libvirt's parser checks: each case asserts the stable code, the element path, the position of
 * the offending element and that the message names the value and the network.
 */
import { describe, expect, it } from 'vitest';
import { NetworkXmlError, parseNetwork } from '../../src/xml/index.js';

/** The body starts on line 3, column 3 (after `<network>` and `  <name>n</name>`). */
function errorOf(body: string, rootAttrs = ''): NetworkXmlError {
  try {
    parseNetwork(`<network${rootAttrs}>\n  <name>n</name>\n  ${body}\n</network>\n`);
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkXmlError);
    return e as NetworkXmlError;
  }
  throw new Error('expected a NetworkXmlError');
}

const IP = "<ip address='10.0.0.1' prefix='24'/>";

// [title, body, code, path, line, column, text the message must contain]
// The column of the offending element is given as a number, or as the text that starts it in the
// body (the body begins at column 3); for an attribute path the expected column is the attribute's.
const cases: Array<[string, string, string, string, number, number | string, string]> = [
  // network-level scalars
  ['bad uuid', '<uuid>1234</uuid>', 'network.uuid.invalid', '/network/uuid', 3, 3, "'1234'"],
  ['title with newline', '<title>a\nb</title>', 'network.title.newline', '/network/title', 3, 3, 'title'],
  ['bridge delay', "<bridge delay='-1'/>", 'bridge.delay.invalid', '/network/bridge/@delay', 3, 3, "'-1'"],
  ['macTableManager default', "<bridge macTableManager='default'/>", 'bridge.mac-table-manager.invalid', '/network/bridge/@macTableManager', 3, 3, "'default'"],
  ['bridge mac syntax', "<mac address='52:54:00:zz:00:01'/>", 'mac.invalid', '/network/mac/@address', 3, 3, '52:54:00:zz:00:01'],
  ['bridge mac 3 digits', "<mac address='52:54:000:01:00:01'/>", 'mac.invalid', '/network/mac/@address', 3, 3, '52:54:000:01:00:01'],
  ['bridge mac multicast', "<mac address='01:00:5e:00:00:01'/>", 'mac.multicast', '/network/mac/@address', 3, 3, '01:00:5e:00:00:01'],
  ['mtu text', "<mtu size='big'/>", 'mtu.invalid', '/network/mtu/@size', 3, 3, "'big'"],
  ['domain register without localOnly', "<domain name='x' register='yes'/>", 'domain.register.requires-local-only', '/network/domain/@register', 3, 3, 'localOnly'],
  ['tristate', "<port isolated='true'/>", 'port.isolated.invalid', '/network/port/@isolated', 3, 3, "'true'"],
  // bandwidth
  ['bandwidth classID', "<bandwidth classID='3'><inbound average='1'/></bandwidth>", 'bandwidth.class-id.unsupported', '/network/bandwidth/@classID', 3, 3, 'classID'],
  ['bandwidth floor', "<bandwidth><inbound average='1' floor='2'/></bandwidth>", 'bandwidth.floor.unsupported', '/network/bandwidth/inbound/@floor', 3, '<inbound', 'floor'],
  ['bandwidth no average', "<bandwidth><outbound peak='2'/></bandwidth>", 'bandwidth.rate.missing-average', '/network/bandwidth/outbound', 3, '<outbound', 'average'],
  // vlan
  ['vlan without tag', '<vlan/>', 'vlan.tag.missing', '/network/vlan', 3, 3, "network 'n'"],
  ['vlan id too large', "<vlan><tag id='4096'/></vlan>", 'vlan.tag.id.too-large', '/network/vlan/tag[1]/@id', 3, '<tag', '4096'],
  ['vlan two native', "<vlan><tag id='1' nativeMode='tagged'/><tag id='2' nativeMode='untagged'/></vlan>", 'vlan.native-mode.duplicate', '/network/vlan/tag[2]/@nativeMode', 3, "<tag id='2'", "network 'n'"],
  ['vlan trunk no with two tags', "<vlan trunk='no'><tag id='1'/><tag id='2'/></vlan>", 'vlan.trunk.required', '/network/vlan/@trunk', 3, 3, "trunk='no'"],
  ['vlan trunk garbage', "<vlan trunk='maybe'><tag id='1'/></vlan>", 'vlan.trunk.invalid', '/network/vlan/@trunk', 3, 3, "'maybe'"],
  // dns
  ['dns forwarder addr', "<dns><forwarder addr='example.com'/></dns>", 'dns.forwarder.addr.invalid', '/network/dns/forwarder[1]/@addr', 3, '<forwarder', 'example.com'],
  ['dns forwarder empty', '<dns><forwarder/></dns>', 'dns.forwarder.empty', '/network/dns/forwarder[1]', 3, '<forwarder', "network 'n'"],
  ['dns host without hostname', "<dns><host ip='10.0.0.1'/></dns>", 'dns.host.hostname.missing', '/network/dns/host[1]', 3, '<host', "network 'n'"],
  ['dns host bad ip', "<dns><host ip='10.0.0.256'><hostname>a</hostname></host></dns>", 'dns.host.ip.invalid', '/network/dns/host[1]/@ip', 3, '<host', '10.0.0.256'],
  ['dns srv service chars', "<dns><srv service='a.b' protocol='tcp'/></dns>", 'dns.srv.service.invalid-char', '/network/dns/srv[1]/@service', 3, '<srv', "'a.b'"],
  ['dns srv protocol missing', "<dns><srv service='ldap'/></dns>", 'dns.srv.protocol.missing', '/network/dns/srv[1]', 3, '<srv', 'ldap'],
  ['dns srv port without target', "<dns><srv service='ldap' protocol='tcp' port='389'/></dns>", 'dns.srv.port.without-target', '/network/dns/srv[1]/@port', 3, '<srv', 'ldap'],
  ['dns srv port 0', "<dns><srv service='ldap' protocol='tcp' target='t' port='0'/></dns>", 'dns.srv.port.invalid', '/network/dns/srv[1]/@port', 3, '<srv', "'0'"],
  ['dns txt comma', "<dns><txt name='a,b' value='v'/></dns>", 'dns.txt.name.invalid-char', '/network/dns/txt[1]/@name', 3, '<txt', "'a,b'"],
  ['dns txt no value', "<dns><txt name='a'/></dns>", 'dns.txt.value.missing', '/network/dns/txt[1]', 3, '<txt', "'a'"],
  ['dns disabled with records', "<dns enable='no'><txt name='a' value='b'/></dns>", 'dns.disabled.extra-data', '/network/dns', 3, 3, "network 'n'"],
  // virtualport
  ['virtualport without type', '<virtualport/>', 'virtualport.type.missing', '/network/virtualport', 3, 3, "network 'n'"],
  ['virtualport bad type', "<virtualport type='vxlan'/>", 'virtualport.type.invalid', '/network/virtualport/@type', 3, 3, "'vxlan'"],
  ['virtualport managerid range', "<virtualport type='802.1Qbg'><parameters managerid='256'/></virtualport>", 'virtualport.managerid.invalid', '/network/virtualport/parameters/@managerid', 3, '<parameters', '256'],
  ['virtualport extra param', "<virtualport type='802.1Qbh'><parameters managerid='1'/></virtualport>", 'virtualport.parameter.unsupported', '/network/virtualport/parameters/@managerid', 3, '<parameters', '802.1Qbh'],
  ['virtualport profileid too long', `<virtualport type='openvswitch'><parameters profileid='${'p'.repeat(40)}'/></virtualport>`, 'virtualport.profileid.too-long', '/network/virtualport/parameters/@profileid', 3, '<parameters', 'p'.repeat(40)],
  // portgroup
  ['portgroup without name', "<portgroup name=''/>", 'portgroup.name.missing', '/network/portgroup[1]', 3, 3, "network 'n'"],
  // ip
  ['ip without address', '<ip/>', 'ip.address.missing', '/network/ip[1]', 3, 3, "network 'n'"],
  ['ip bad address', "<ip address='10.0.0.1.5'/>", 'ip.address.invalid', '/network/ip[1]/@address', 3, 3, '10.0.0.1.5'],
  ['ip name is not an address', "<ip address='localhost'/>", 'ip.address.invalid', '/network/ip[1]/@address', 3, 3, 'localhost'],
  ['ipv6 without family', "<ip address='2001:db8::1' prefix='64'/>", 'ip.family.mismatch', '/network/ip[1]/@address', 3, 3, '2001:db8::1'],
  ['family ipv6 with ipv4', "<ip family='ipv6' address='10.0.0.1'/>", 'ip.family.mismatch', '/network/ip[1]/@address', 3, 3, '10.0.0.1'],
  ['unknown family', "<ip family='inet' address='10.0.0.1'/>", 'ip.family.invalid', '/network/ip[1]/@family', 3, 3, "'inet'"],
  ['netmask and prefix', "<ip address='10.0.0.1' netmask='255.0.0.0' prefix='8'/>", 'ip.netmask.with-prefix', '/network/ip[1]/@prefix', 3, 3, "network 'n'"],
  ['ipv6 netmask', "<ip family='ipv6' address='fd00::1' netmask='255.0.0.0'/>", 'ip.netmask.ipv6', '/network/ip[1]/@netmask', 3, 3, 'fd00::1'],
  ['ipv4 prefix 33', "<ip address='10.0.0.1' prefix='33'/>", 'ip.prefix.invalid', '/network/ip[1]/@prefix', 3, 3, '33'],
  ['prefix negative', "<ip address='10.0.0.1' prefix='-8'/>", 'ip.prefix.invalid', '/network/ip[1]/@prefix', 3, 3, "'-8'"],
  ['tftp on ipv6', "<ip family='ipv6' address='fd00::1'><tftp root='/t'/></ip>", 'tftp.ipv6', '/network/ip[1]/tftp', 3, '<tftp', "network 'n'"],
  // dhcp ranges
  ['range outside network', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip>", 'dhcp.range.outside-network', '/network/ip[1]/dhcp/range[1]', 3, '<range', '10.0.0.1/24'],
  ['range starts at network address', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.0' end='10.0.0.9'/></dhcp></ip>", 'dhcp.range.network-address', '/network/ip[1]/dhcp/range[1]', 3, '<range', '10.0.0.0'],
  ['range ends at broadcast', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.255'/></dhcp></ip>", 'dhcp.range.broadcast-address', '/network/ip[1]/dhcp/range[1]', 3, '<range', '10.0.0.255'],
  ['range reversed', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.9' end='10.0.0.2'/></dhcp></ip>", 'dhcp.range.reversed', '/network/ip[1]/dhcp/range[1]', 3, '<range', '10.0.0.9 - 10.0.0.2'],
  ['range too large', "<ip address='10.0.0.1' prefix='8'><dhcp><range start='10.0.0.2' end='10.1.0.9'/></dhcp></ip>", 'dhcp.range.too-large', '/network/ip[1]/dhcp/range[1]', 3, '<range', '10.1.0.9'],
  ['range mixed family', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='fd00::9'/></dhcp></ip>", 'dhcp.range.family-mismatch', '/network/ip[1]/dhcp/range[1]', 3, '<range', 'fd00::9'],
  ['range class D network', "<ip address='224.0.0.1'><dhcp><range start='224.0.0.2' end='224.0.0.9'/></dhcp></ip>", 'dhcp.range.bad-prefix', '/network/ip[1]/dhcp/range[1]', 3, '<range', '224.0.0.1'],
  ['range without end', "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2'/></dhcp></ip>", 'dhcp.range.end.missing', '/network/ip[1]/dhcp/range[1]', 3, '<range', "network 'n'"],
  ['ipv6 range start after end', "<ip family='ipv6' address='fd00::1' prefix='64'><dhcp><range start='fd00::9' end='fd00::2'/></dhcp></ip>", 'dhcp.range.reversed', '/network/ip[1]/dhcp/range[1]', 3, '<range', 'fd00::9'],
  ['ipv6 range too large', "<ip family='ipv6' address='fd00::1' prefix='64'><dhcp><range start='fd00::1:2' end='fd00::2:9'/></dhcp></ip>", 'dhcp.range.too-large', '/network/ip[1]/dhcp/range[1]', 3, '<range', 'fd00::2:9'],
  // dhcp hosts and leases
  ['host mac on ipv6', "<ip family='ipv6' address='fd00::1'><dhcp><host mac='52:54:00:00:00:01' ip='fd00::5'/></dhcp></ip>", 'dhcp.host.mac.ipv6', '/network/ip[1]/dhcp/host[1]/@mac', 3, '<host', '52:54:00:00:00:01'],
  ['host multicast mac', `${IP.replace('/>', '>')}<dhcp><host mac='03:00:00:00:00:01' ip='10.0.0.5'/></dhcp></ip>`, 'dhcp.host.mac.multicast', '/network/ip[1]/dhcp/host[1]/@mac', 3, '<host', '03:00:00:00:00:01'],
  ['host bad id', `${IP.replace('/>', '>')}<dhcp><host id='0:1:x' name='h' ip='10.0.0.5'/></dhcp></ip>`, 'dhcp.host.id.invalid-char', '/network/ip[1]/dhcp/host[1]/@id', 3, '<host', "'x'"],
  ['host name starts with dot', `${IP.replace('/>', '>')}<dhcp><host name='.h' ip='10.0.0.5'/></dhcp></ip>`, 'dhcp.host.name.invalid', '/network/ip[1]/dhcp/host[1]/@name', 3, '<host', "'.h'"],
  ['ipv4 host without mac or name', `${IP.replace('/>', '>')}<dhcp><host ip='10.0.0.5'/></dhcp></ip>`, 'dhcp.host.mac-or-name.missing', '/network/ip[1]/dhcp/host[1]', 3, '<host', "network 'n'"],
  ['host without ip', `${IP.replace('/>', '>')}<dhcp><host name='h'/></dhcp></ip>`, 'dhcp.host.ip.missing', '/network/ip[1]/dhcp/host[1]', 3, '<host', "network 'n'"],
  ['host ip trailing dot', `${IP.replace('/>', '>')}<dhcp><host name='h' ip='10.0.0.'/></dhcp></ip>`, 'dhcp.host.ip.invalid', '/network/ip[1]/dhcp/host[1]/@ip', 3, '<host', "'10.0.0.'"],
  ['second host', `${IP.replace('/>', '>')}<dhcp><host name='h' ip='10.0.0.5'/><host name='h2' ip='nope'/></dhcp></ip>`, 'dhcp.host.ip.invalid', '/network/ip[1]/dhcp/host[2]/@ip', 3, "<host name='h2'", "'nope'"],
  ['lease too short', `${IP.replace('/>', '>')}<dhcp><host name='h' ip='10.0.0.5'><lease expiry='119' unit='seconds'/></host></dhcp></ip>`, 'lease.too-short', '/network/ip[1]/dhcp/host[1]/lease/@expiry', 3, '<lease', '119'],
  ['lease unit', `${IP.replace('/>', '>')}<dhcp><host name='h' ip='10.0.0.5'><lease expiry='5' unit='days'/></host></dhcp></ip>`, 'lease.unit.invalid', '/network/ip[1]/dhcp/host[1]/lease/@unit', 3, '<lease', "'days'"],
  ['bootp without file', `${IP.replace('/>', '>')}<dhcp><bootp server='10.0.0.2'/></dhcp></ip>`, 'bootp.file.missing', '/network/ip[1]/dhcp/bootp', 3, '<bootp', "network 'n'"],
  ['bootp server name', `${IP.replace('/>', '>')}<dhcp><bootp file='f' server='tftp.example'/></dhcp></ip>`, 'bootp.server.invalid', '/network/ip[1]/dhcp/bootp/@server', 3, '<bootp', 'tftp.example'],
  // routes
  ['route without gateway', `${IP}<route address='10.1.0.0' prefix='16'/>`, 'route.gateway.missing', '/network/route[1]', 3, '<route', "network 'n'"],
  ['route not a network address', `${IP}<route address='10.1.0.1' prefix='16' gateway='10.0.0.2'/>`, 'route.address.not-network', '/network/route[1]/@address', 3, '<route', '10.1.0.1'],
  ['route without prefix must be 0.0.0.0', `${IP}<route address='10.1.0.0' gateway='10.0.0.2'/>`, 'route.address.not-network', '/network/route[1]/@address', 3, '<route', '/0'],
  ['route metric 0', `${IP}<route address='10.1.0.0' prefix='16' gateway='10.0.0.2' metric='0'/>`, 'route.metric.invalid', '/network/route[1]/@metric', 3, '<route', "network 'n'"],
  ['route prefix and netmask', `${IP}<route address='10.1.0.0' prefix='16' netmask='255.255.0.0' gateway='10.0.0.2'/>`, 'route.netmask.with-prefix', '/network/route[1]/@prefix', 3, '<route', "network 'n'"],
  ['route ipv6 gateway for ipv4', `${IP}<route address='10.1.0.0' prefix='16' gateway='fd00::2'/>`, 'route.gateway.family-mismatch', '/network/route[1]/@gateway', 3, '<route', 'fd00::2'],
  ['route gateway unreachable', `${IP}<route address='10.1.0.0' prefix='16' gateway='10.9.0.2'/>`, 'route.gateway.unreachable', '/network/route[1]/@gateway', 3, '<route', '10.9.0.2'],
  // forward
  ['unknown forward mode', "<forward mode='masquerade'/>", 'forward.mode.invalid', '/network/forward/@mode', 3, 3, "'masquerade'"],
  ['nat in route mode', `<forward mode='route'><nat/></forward>${IP}`, 'forward.nat.not-nat-mode', '/network/forward/nat', 3, '<nat', "mode='route'"],
  ['two nat', `<forward><nat/><nat/></forward>${IP}`, 'forward.nat.duplicate', '/network/forward/nat', 3, '<nat/></forward>', "network 'n'"],
  ['nat ipv6 address', `<forward><nat><address start='fd00::1' end='fd00::9'/></nat></forward>${IP}`, 'forward.nat.address.start.invalid', '/network/forward/nat/address/@start', 3, '<address', 'fd00::1'],
  ['nat address reversed', `<forward><nat><address start='192.0.2.9' end='192.0.2.1'/></nat></forward>${IP}`, 'forward.nat.address.reversed', '/network/forward/nat/address', 3, '<address', '192.0.2.9'],
  ['nat port end below start', `<forward><nat><port start='2000' end='1000'/></nat></forward>${IP}`, 'forward.nat.port.end.invalid', '/network/forward/nat/port/@end', 3, '<port', "network 'n'"],
  ['nat port start too large', `<forward><nat><port start='70000' end='70001'/></nat></forward>${IP}`, 'forward.nat.port.start.invalid', '/network/forward/nat/port/@start', 3, '<port', "network 'n'"],
  ['driver name default', "<forward mode='hostdev'><driver name='default'/></forward>", 'forward.driver.name.invalid', '/network/forward/driver/@name', 3, '<driver', "'default'"],
  ['dev with pf', "<forward mode='passthrough' dev='eth0'><pf dev='eth1'/></forward>", 'forward.dev.with-address-or-pf', '/network/forward/@dev', 3, 3, "'eth0'"],
  ['dev mismatch', "<forward mode='bridge' dev='eth0'><interface dev='eth1'/></forward>", 'forward.interface.mismatch', '/network/forward/interface[1]/@dev', 3, '<interface', 'eth1'],
  ['duplicate interface', "<forward mode='bridge'><interface dev='eth0'/><interface dev='eth0'/></forward>", 'forward.interface.duplicate', '/network/forward/interface[2]/@dev', 3, "<interface dev='eth0'/></forward>", "'eth0'"],
  ['interface without dev', "<forward mode='bridge'><interface/></forward>", 'forward.interface.dev.missing', '/network/forward/interface[1]', 3, '<interface', "network 'n'"],
  ['address type usb', "<forward mode='hostdev'><address type='usb'/></forward>", 'forward.address.type.invalid', '/network/forward/address[1]/@type', 3, '<address', "'usb'"],
  ['address type netdev', "<forward mode='hostdev'><address type='netdev'/></forward>", 'forward.address.type.unsupported', '/network/forward/address[1]/@type', 3, '<address', "'netdev'"],
  ['pci slot', "<forward mode='hostdev'><address type='pci' domain='0' bus='1' slot='0x20' function='0'/></forward>", 'forward.address.pci.invalid', '/network/forward/address[1]/@slot', 3, '<address', '0x20'],
  ['two pf', "<forward mode='passthrough'><pf dev='a'/><pf dev='b'/></forward>", 'forward.pf.duplicate', '/network/forward/pf', 3, "<pf dev='b'", "network 'n'"],
  // mode checks
  ['nat without ip', '<forward/>', 'forward.ip.missing', '/network/forward/@mode', 3, 3, "'nat'"],
  ['open without ip', "<forward mode='open'/>", 'forward.ip.missing', '/network/forward/@mode', 3, 3, "'open'"],
  ['route with two devs', `<forward mode='route'><interface dev='a'/><interface dev='b'/></forward>${IP}`, 'forward.interface.multiple', '/network/forward', 3, 3, "network 'n'"],
  ['bridge name in hostdev mode', "<bridge name='br0'/><forward mode='hostdev'/>", 'bridge.name.not-allowed', '/network/bridge/@name', 3, 3, 'hostdev'],
  ['stp in bridge mode', "<bridge name='br0' stp='on'/><forward mode='bridge'/>", 'bridge.options.not-allowed', '/network/bridge', 3, 3, "mode='bridge'"],
  ['bridge name and dev', "<bridge name='br0'/><forward mode='bridge' dev='eth0'/>", 'bridge.name.with-forward-dev', '/network/bridge/@name', 3, 3, "network 'n'"],
  ['mtu in bridge mode', "<mtu size='9000'/><forward mode='bridge'><interface dev='eth0'/></forward>", 'mtu.not-allowed', '/network/mtu/@size', 3, 3, "mode='bridge'"],
  // dnsmasq
  ['dnsmasq option without value', "<dnsmasq:options><dnsmasq:option/></dnsmasq:options>", 'dnsmasq.option.value.missing', '/network/dnsmasq:options/dnsmasq:option[1]', 3, '<dnsmasq:option/', "network 'n'"],
];

describe('libvirt parse checks', () => {
  it.each(cases)('%s', (_title, body, code, path, line, column, mentions) => {
    const attrs = body.startsWith('<dnsmasq') ? " xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'" : '';
    const err = errorOf(body, attrs);
    expect(typeof column === 'number' || body.includes(column)).toBe(true);
    // An attribute error points at the attribute inside that element's start tag.
    const elementAt = typeof column === 'number' ? column - 3 : body.indexOf(column);
    const attr = /\/@([^/]+)$/.exec(path)?.[1];
    const col = (attr === undefined ? elementAt : body.indexOf(` ${attr}=`, elementAt) + 1) + 3;
    expect({ code: err.code, path: err.path, line: err.line, column: err.column }).toEqual({ code, path, line, column: col });
    expect(err.message).toContain(mentions);
    expect(err.message).toMatch(/^[A-Z<'].*\.$/s);
  });
});

describe('network-level errors and their order', () => {
  it('reports a missing or empty name', () => {
    for (const doc of ['<network/>', '<network><name></name></network>', '<network><name/><uuid/></network>']) {
      expect(() => parseNetwork(doc)).toThrow(expect.objectContaining({ code: 'network.name.missing', path: '/network/name' }));
    }
  });

  it("refuses '/' in the name", () => {
    expect(() => parseNetwork('<network>\n<name>a/b</name></network>')).toThrow(
      expect.objectContaining({ code: 'network.name.invalid-char', line: 2, column: 1, message: expect.stringContaining("'a/b'") }),
    );
  });

  it('reports the ipv6 root attribute against the root element', () => {
    const err = errorOf('', " ipv6='on'");
    expect([err.code, err.path, err.line, err.column]).toEqual(['network.ipv6.invalid', '/network/@ipv6', 1, 10]);
  });

  it('follows libvirt order: uuid before ip, ip before forward, forward before mode checks', () => {
    expect(errorOf(`<ip address='x'/><uuid>zz</uuid>`).code).toBe('network.uuid.invalid');
    expect(errorOf(`<forward mode='x'/><ip address='bad'/>`).code).toBe('ip.address.invalid');
    expect(errorOf(`<forward mode='bogus'/><mtu size='x'/>`).code).toBe('mtu.invalid');
    expect(errorOf(`<portgroup/><dns><txt/></dns>`).code).toBe('dns.txt.name.missing');
    expect(errorOf(`<ip address='10.0.0.1'><dhcp><host/></dhcp><tftp/></ip>`).code).toBe('dhcp.host.mac-or-name.missing');
  });

  it('renders FILE:LINE:COL: PATH: message', () => {
    const err = errorOf("<mac address='ff:ff:ff:ff:ff:ff'/>");
    expect(err.format('net.xml')).toBe(
      "net.xml:3:8: /network/mac/@address: The bridge MAC address 'ff:ff:ff:ff:ff:ff' in network 'n' is a multicast address; a unicast one is needed.",
    );
    expect(String(err)).toBe(err.format('<input>'));
    expect(err.problems).toEqual([
      { code: 'mac.multicast', path: '/network/mac/@address', line: 3, column: 8, message: err.message },
    ]);
  });
});
