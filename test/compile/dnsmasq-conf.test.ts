/**
 * dnsmasq conf, hostsfile and addnhosts: one test per line kind and per libvirt error, on small
 * networks built with defineNetwork. Expected lines follow host-backend.md §4.3/§4.4.
 */
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../src/compile/errors.js';
import { dnsmasqConfig } from '../../src/compile/dnsmasq/index.js';
import { formatAddress, ptrDomain, parseAddress } from '../../src/compile/dnsmasq/inet.js';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';

const HEADER = [
  '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE',
  '##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:',
  '##    virsh net-edit n',
  '## or other application using the libvirt API.',
  '##',
  '## dnsmasq conf file created by libvirt',
  'strict-order',
];

const v4 = { address: '192.168.122.1', prefix: 24 };
const range4 = { start: '192.168.122.2', end: '192.168.122.254' };

function net(extra: Partial<NetworkInit>): NetworkInit {
  return { name: 'n', forward: { mode: 'nat' }, ips: [v4], ...extra };
}

/** The conf lines after the fixed header. */
function body(init: NetworkInit, options: { pidfile?: string | null } = {}): string[] {
  const conf = dnsmasqConfig(defineNetwork(init), { bridge: 'virbr9', ...options }).conf;
  const lines = conf.split('\n');
  expect(lines.slice(0, HEADER.length)).toEqual(HEADER);
  expect(lines[lines.length - 1]).toBe('');
  return lines.slice(HEADER.length, -1);
}

function compileError(init: NetworkInit): CompileError {
  try {
    dnsmasqConfig(defineNetwork(init), { bridge: 'virbr9' });
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return e as CompileError;
  }
  throw new Error('expected a CompileError');
}

const COMMON = ['except-interface=lo', 'bind-dynamic', 'interface=virbr9'];
const ADDN = 'addn-hosts=/var/lib/libvirt/dnsmasq/n.addnhosts';
const HOSTS = 'dhcp-hostsfile=/var/lib/libvirt/dnsmasq/n.hostsfile';

describe('dnsmasq conf lines', () => {
  it('minimal NAT network: DNS only', () => {
    expect(body(net({}))).toEqual([...COMMON, ADDN]);
  });

  it('DNS disabled: port=0 and no addn-hosts, domain lines still written', () => {
    expect(body(net({ dns: { enable: false }, domain: { name: 'lan', localOnly: true } }))).toEqual([
      'port=0',
      'local=/lan/',
      'domain=lan',
      'expand-hosts',
      ...COMMON,
    ]);
  });

  it('forwarders: server lines in order, no-resolv only for an address without domain', () => {
    expect(body(net({ dns: { forwarders: [{ domain: 'a.test', addr: '10.0.0.1' }, { domain: 'b.test' }] } }))).toEqual([
      'server=/a.test/10.0.0.1',
      'server=/b.test/#',
      ...COMMON,
      ADDN,
    ]);
    expect(body(net({ dns: { forwarders: [{ addr: '2001:db8::53' }] } }))).toEqual(['server=2001:db8::53', 'no-resolv', ...COMMON, ADDN]);
  });

  it('forwarders are ignored when DNS is disabled', () => {
    // The parser forbids this combination; the generator follows libvirt's wantDNS test anyway.
    expect(body(net({ dns: { enable: false, forwarders: [{ addr: '10.0.0.1' }] } }))).toEqual(['port=0', ...COMMON]);
  });

  it('localPtr zones for IPv4 and IPv6, then domain-needed/local=// for forwardPlainNames=no', () => {
    const lines = body(
      net({
        dns: { forwardPlainNames: false },
        ips: [
          { ...v4, localPtr: true },
          { family: 'ipv6', address: '2001:db8:ac10:fd01::1', prefix: 64, localPtr: true },
        ],
      }),
    );
    expect(lines.slice(0, 4)).toEqual([
      'local=/122.168.192.in-addr.arpa/',
      'local=/1.0.d.f.0.1.c.a.8.b.d.0.1.0.0.2.ip6.arpa/',
      'domain-needed',
      'local=//',
    ]);
  });

  it('PTR zone impossible for a prefix that is not a whole number of bytes', () => {
    const e = compileError(net({ ips: [{ address: '10.1.0.1', prefix: 20, localPtr: true }] }));
    expect(e.code).toBe('dnsmasq.ptr-impossible');
    expect(e.path).toBe('/network/ip[1]/@localPtr');
    expect(e.message).toBe('PTR domain for IPv4 network with prefix 20 cannot be automatically created');
    expect(ptrDomain(parseAddress('10.1.0.1', ''), 16)).toBe('1.10.in-addr.arpa');
    expect(ptrDomain(parseAddress('2001:db8::', ''), 126)).toBeUndefined();
  });

  it('pid-file line only when a pidfile is given', () => {
    expect(body(net({}), { pidfile: '/run/libvirt/network/n.pid' })).toEqual(['pid-file=/run/libvirt/network/n.pid', ...COMMON, ADDN]);
    expect(body(net({}), { pidfile: null })).toEqual([...COMMON, ADDN]);
  });

  it('isolated network: no default route, no-resolv, zero-lifetime RA', () => {
    const init = net({});
    delete init.forward;
    expect(body(init)).toEqual([...COMMON, 'dhcp-option=3', 'no-resolv', 'ra-param=*,0,0', ADDN]);
  });

  it('txt and srv records', () => {
    expect(
      body(
        net({
          dns: {
            txts: [{ name: 'k', value: 'a b, c' }],
            srvs: [
              { service: 'ldap', protocol: 'tcp', target: '.' , port: 389 },
              { service: 'x', protocol: 'udp', domain: 'd.test', target: 't.test', weight: 5 },
            ],
          },
        }),
      ),
    ).toEqual([...COMMON, 'txt-record=k,a b, c', 'srv-host=_ldap._tcp', 'srv-host=_x._udp.d.test,t.test,1,0,5', ADDN]);
  });

  it('enable-tftp once before the first tftp-root; tftp on IPv6 ignored', () => {
    const lines = body(
      net({
        ips: [
          { ...v4, tftp: { root: '/srv/a' } },
          { address: '10.0.0.1', prefix: 8, tftp: { root: '/srv/b' } },
        ],
      }),
    );
    expect(lines).toEqual([...COMMON, 'enable-tftp', 'tftp-root=/srv/a', 'tftp-root=/srv/b', ADDN]);
  });

  it('IPv4 DHCP block: range with dotted netmask and lease, no-override, authoritative, boot with server', () => {
    const lines = body(
      net({
        ips: [
          {
            address: '10.1.2.1',
            prefix: 16,
            dhcp: {
              ranges: [{ start: '10.1.2.10', end: '10.1.3.9', lease: { expiry: 90, unit: 'seconds' } }],
              bootp: { file: 'pxelinux.0', server: '10.1.2.5' },
            },
          },
        ],
      }),
    );
    expect(lines).toEqual([
      ...COMMON,
      'dhcp-range=10.1.2.10,10.1.3.9,255.255.0.0,90s',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-boot=pxelinux.0,,10.1.2.5',
      'dhcp-lease-max=256',
      HOSTS,
      ADDN,
    ]);
  });

  it('classful prefix when neither prefix nor netmask is given; default lease unit is minutes', () => {
    const lines = body(net({ ips: [{ address: '172.16.0.1', dhcp: { ranges: [{ start: '172.16.0.2', end: '172.16.0.3', lease: { expiry: 5 } }] } }] }));
    expect(lines[3]).toBe('dhcp-range=172.16.0.2,172.16.0.3,255.255.0.0,5m');
  });

  it('static-only DHCP for both families, lease-max summed over families, enable-ra', () => {
    const lines = body(
      net({
        ips: [
          { ...v4, dhcp: { ranges: [range4], hosts: [{ mac: '52:54:00:AA:bb:01', ip: '192.168.122.7' }] } },
          { family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { ranges: [{ start: 'fd00::10', end: 'fd00::1f' }] } },
          { family: 'ipv6', address: 'fd01::1', prefix: 64 },
        ],
      }),
    );
    expect(lines).toEqual([
      ...COMMON,
      'dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-range=fd00::10,fd00::1f,64',
      'dhcp-lease-max=269',
      HOSTS,
      ADDN,
      'enable-ra',
    ]);
    const stat = body(
      net({
        ips: [
          { ...v4, dhcp: { hosts: [{ name: 'h', ip: '192.168.122.7' }] } },
          { family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ name: 'h6', ip: 'fd00::7' }] } },
        ],
      }),
    );
    expect(stat).toEqual([
      ...COMMON,
      'dhcp-range=192.168.122.1,static',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-range=fd00::1,static,64',
      HOSTS,
      ADDN,
      'enable-ra',
    ]);
  });

  it('mtu option and ra-only for IPv6 addresses without DHCP', () => {
    expect(body(net({ mtu: 9000, ips: [v4, { family: 'ipv6', address: 'fd00::1', prefix: 64 }] }))).toEqual([
      ...COMMON,
      ADDN,
      'dhcp-option=option:mtu,9000',
      'dhcp-range=fd00::1,ra-only',
    ]);
  });

  it('dnsmasq:options verbatim at the end', () => {
    expect(body(net({ dnsmasqOptions: ['log-queries', 'cname=a,b'] })).slice(-2)).toEqual(['log-queries', 'cname=a,b']);
  });
});

describe('dnsmasq errors libvirt raises', () => {
  it('two IPv4 DHCP definitions', () => {
    const e = compileError(net({ ips: [{ ...v4, dhcp: { ranges: [range4] } }, { address: '10.0.0.1', prefix: 24, dhcp: { hosts: [{ name: 'x', ip: '10.0.0.5' }] } }] }));
    expect([e.code, e.path, e.message]).toEqual(['dnsmasq.multiple-ipv4-dhcp', '/network/ip[2]', 'For IPv4, multiple DHCP definitions cannot be specified.']);
  });

  it('two IPv6 DHCP definitions', () => {
    const ip6 = (a: string): NonNullable<NetworkInit['ips']>[number] => ({ family: 'ipv6', address: `${a}::1`, prefix: 64, dhcp: { ranges: [{ start: `${a}::10`, end: `${a}::20` }] } });
    const e = compileError(net({ ips: [ip6('fd00'), ip6('fd01')] }));
    expect([e.code, e.path]).toEqual(['dnsmasq.multiple-ipv6-dhcp', '/network/ip[2]']);
  });

  it('invalid prefix: class D address without netmask, non-contiguous netmask', () => {
    const e = compileError(net({ ips: [{ address: '224.0.0.1', dhcp: { hosts: [{ name: 'x', ip: '224.0.0.5' }] } }] }));
    expect([e.code, e.message]).toEqual(['dnsmasq.invalid-prefix', "bridge 'virbr9' has an invalid prefix"]);
    expect(compileError(net({ ips: [{ address: '10.0.0.1', netmask: '255.0.255.0', dhcp: { ranges: [{ start: '10.0.0.2', end: '10.0.0.3' }] } }] })).code).toBe('dnsmasq.invalid-prefix');
  });

  it('ranges outside the network, reversed, on the network or broadcast address, too large', () => {
    const r = (start: string, end: string, prefix = 24): string => {
      const e = compileError(net({ ips: [{ address: '192.168.122.1', prefix, dhcp: { ranges: [{ start, end }] } }] }));
      expect(e.code).toBe('dnsmasq.invalid-range');
      expect(e.path).toBe('/network/ip[1]/dhcp/range[1]');
      return e.message;
    };
    expect(r('192.168.123.2', '192.168.123.3')).toBe('range 192.168.123.2 - 192.168.123.3 is not entirely within network 192.168.122.1/24');
    expect(r('192.168.122.9', '192.168.122.3')).toBe('range 192.168.122.9 - 192.168.122.3 is reversed ');
    expect(r('192.168.122.0', '192.168.122.3')).toBe('start of range 192.168.122.0 - 192.168.122.3 in network 192.168.122.1/24 is the network address');
    expect(r('192.168.122.2', '192.168.122.255')).toBe('end of range 192.168.122.2 - 192.168.122.255 in network 192.168.122.1/24 is the broadcast address');
    expect(r('192.160.0.1', '192.169.0.1', 8)).toBe('range 192.160.0.1 - 192.169.0.1 is too large (> 65535)');
  });

  it('refuses a dnsmasq older than 2.67', () => {
    expect(() => dnsmasqConfig(defineNetwork(net({})), { bridge: 'virbr9', version: '2.66' })).toThrowError(
      'dnsmasq version >= 2.67 required but 2.66 found',
    );
    expect(dnsmasqConfig(defineNetwork(net({})), { bridge: 'virbr9', version: '2.90' }).conf).toContain('interface=virbr9\n');
  });
});

describe('hostsfile and addnhosts', () => {
  it('hostsfile line forms, IPv4 first, verbatim mac/name/id, lease suffix', () => {
    const files = dnsmasqConfig(
      defineNetwork(
        net({
          ips: [
            { family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ id: '0:3:AB', ip: 'fd00::0:7' }, { name: 'v6', ip: 'fd00::8', lease: { expiry: 0 } }] } },
            { ...v4, dhcp: { hosts: [{ mac: '52:54:00:AA:bb:1', ip: '192.168.122.7' }, { name: 'Web', ip: '192.168.122.8', lease: { expiry: 3, unit: 'hours' } }] } },
          ],
        }),
      ),
      { bridge: 'virbr9' },
    );
    expect(files.hostsfile).toBe('52:54:00:AA:bb:1,192.168.122.7\nWeb,192.168.122.8,3h\nid:0:3:AB,[fd00::7]\nv6,[fd00::8],infinite\n');
  });

  it('no hostsfile without DHCP hosts; no addnhosts without DNS', () => {
    const files = dnsmasqConfig(defineNetwork(net({ dns: { enable: false }, ips: [{ ...v4, dhcp: { ranges: [range4] } }] })), { bridge: 'virbr9' });
    expect(files.hostsfile).toBeUndefined();
    expect(files.addnhosts).toBeUndefined();
    expect(files.conf).toContain(`${HOSTS}\n`);
  });

  it('addnhosts: addresses merged in first-seen order, a tab after every field', () => {
    const files = dnsmasqConfig(
      defineNetwork(
        net({
          dns: {
            hosts: [
              { ip: '192.168.122.1', hostnames: ['gw'] },
              { ip: '2001:db8:0:0:0:0:0:5', hostnames: ['six'] },
              { ip: '192.168.122.1', hostnames: ['router', 'r'] },
            ],
          },
        }),
      ),
      { bridge: 'virbr9' },
    );
    expect(files.addnhosts).toBe('192.168.122.1\tgw\trouter\tr\t\n2001:db8::5\tsix\t\n');
  });
});

// The address text forms themselves (glibc getaddrinfo / inet_ntop) are tested once, with glibc
// as the oracle, in test/model/inet.test.ts; here only what the dnsmasq layer adds.
describe('dnsmasq address parsing', () => {
  it('writes every address in inet_ntop form, whatever form the model holds', () => {
    expect(formatAddress('2001:0DB8::0:1', '')).toBe('2001:db8::1');
    expect(formatAddress('10.1', '')).toBe('10.0.0.1');
  });

  it('refuses a non-address with dnsmasq.invalid-address and the path', () => {
    expect(() => parseAddress('::00.1.2.3', '/network/ip[1]/@address')).toThrow(
      expect.objectContaining({ code: 'dnsmasq.invalid-address', path: '/network/ip[1]/@address' }),
    );
    expect(() => parseAddress(42 as unknown as string, '/x')).toThrow(CompileError);
  });
});
