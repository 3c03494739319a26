import { describe, expect, it } from 'vitest';
import type { NetworkInit } from '../../src/model/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

type DnsInit = NonNullable<NetworkInit['dns']>;
const withDns = (dns: DnsInit) => net((n) => (n.dns = dns));

describe('validateNetwork: dns', () => {
  it('accepts a full DNS section', () => {
    expect(
      codes(
        withDns({
          forwardPlainNames: true,
          forwarders: [{ addr: '8.8.8.8' }, { domain: 'example.com', addr: '8.8.4.4' }, { domain: 'local' }],
          txts: [{ name: 'example', value: 'example value' }],
          srvs: [{ service: 'name', protocol: 'tcp', domain: 'test-domain-name', target: '.', port: 1024, priority: 10, weight: 10 }],
          hosts: [{ ip: '192.168.122.2', hostnames: ['myhost', 'myhostalias'] }],
        }),
      ),
    ).toEqual([]);
  });
  it("refuses records in <dns enable='no'>", () => {
    expectProblem(withDns({ enable: false, forwarders: [{ addr: '8.8.8.8' }] }), 'dns.disabled-with-records', '/network/dns', ["enable='no'", '1 forwarder']);
    expect(codes(withDns({ enable: false }))).toEqual([]);
  });
  it('refuses DNS records where libvirt runs no dnsmasq, but not forwarders', () => {
    const bridged = (dns: DnsInit) =>
      net((n) => {
        n.forward = { mode: 'bridge' };
        n.ips = [];
        delete n.mac;
        n.bridge = { name: 'br0' };
        n.dns = dns;
      });
    expectProblem(bridged({ txts: [{ name: 'a', value: 'b' }] }), 'dns.not-allowed', '/network/dns', ["mode='bridge'"]);
    expect(codes(bridged({ forwarders: [{ addr: '8.8.8.8' }] }))).toEqual([]);
  });
  it('needs addr or domain in a forwarder', () => {
    expectProblem(withDns({ forwarders: [{ addr: '1.1.1.1' }, {}] }), 'dns.forwarder.empty', '/network/dns/forwarder[2]', ['forwarder 2', 'addr or domain']);
  });
  it('refuses a newline in a forwarder domain', () => {
    expectProblem(withDns({ forwarders: [{ domain: 'x\ny' }] }), 'string.unsafe-char', '/network/dns/forwarder[1]/@domain', ['x\\ny']);
  });
  it('checks TXT names and values', () => {
    expectProblem(withDns({ txts: [{ name: '', value: 'v' }] }), 'dns.txt.name.empty', '/network/dns/txt[1]/@name', ['TXT record 1']);
    expectProblem(withDns({ txts: [{ name: 'a,b', value: 'v' }] }), 'dns.txt.name.invalid-char', '/network/dns/txt[1]/@name', ["'a,b'"]);
    expectProblem(withDns({ txts: [{ name: 'a b', value: 'v' }] }), 'dns.txt.name.invalid-char', '/network/dns/txt[1]/@name', ["'a b'"]);
    expectProblem(rawNet((n) => (n['dns'] = { txts: [{ name: 'nov' }] })), 'dns.txt.value.missing', '/network/dns/txt[1]/@value', ["'nov'"]);
    expectProblem(withDns({ txts: [{ name: 'a', value: 'v\r\n' }] }), 'string.unsafe-char', '/network/dns/txt[1]/@value', ['v\\r\\n']);
    expect(codes(withDns({ txts: [{ name: 'a', value: '' }] }))).toEqual([]);
  });
  it('checks SRV service and protocol', () => {
    expectProblem(withDns({ srvs: [{ service: '', protocol: 'tcp' }] }), 'dns.srv.service.missing', '/network/dns/srv[1]/@service', ['SRV record 1']);
    expectProblem(withDns({ srvs: [{ service: 'x'.repeat(483), protocol: 'tcp' }] }), 'dns.srv.service.too-long', '/network/dns/srv[1]/@service', ['483 bytes', 'xxxx']);
    expect(codes(withDns({ srvs: [{ service: 'x'.repeat(482), protocol: 'tcp' }] }))).toEqual([]);
    expectProblem(withDns({ srvs: [{ service: 'ht tp', protocol: 'tcp' }] }), 'dns.srv.service.invalid-char', '/network/dns/srv[1]/@service', ["'ht tp'"]);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: '' }] }), 'dns.srv.protocol.missing', '/network/dns/srv[1]/@protocol', ["'http'"]);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 't_cp' }] }), 'dns.srv.protocol.invalid-char', '/network/dns/srv[1]/@protocol', ["'t_cp'", "'http'"]);
    expect(codes(withDns({ srvs: [{ service: '_ldap+x/*-', protocol: 'sctp+/-' }] }))).toEqual([]);
  });
  it('allows port, priority and weight only with a target, each in range', () => {
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', port: 80 }] }), 'dns.srv.without-target', '/network/dns/srv[1]/@port', ['port 80', "'http'"]);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', weight: 3 }] }), 'dns.srv.without-target', '/network/dns/srv[1]/@weight', ['weight 3']);
    expectProblem(rawNet((n) => (n['dns'] = { srvs: [{ service: 'http', protocol: 'tcp', target: 't', port: 70000 }] })), 'dns.srv.port.out-of-range', '/network/dns/srv[1]/@port', ['70000', "'http'"]);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', target: 't', priority: 65536 }] }), 'dns.srv.priority.out-of-range', '/network/dns/srv[1]/@priority', ['65536']);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', target: 't', weight: 100000 }] }), 'dns.srv.weight.out-of-range', '/network/dns/srv[1]/@weight', ['100000']);
    expect(codes(withDns({ srvs: [{ service: 'http', protocol: 'tcp', target: 't', port: 65535, priority: 65535, weight: 65535 }] }))).toEqual([]);
  });
  it('refuses a newline in SRV domain and target', () => {
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', domain: 'd\n' }] }), 'string.unsafe-char', '/network/dns/srv[1]/@domain', ['d\\n']);
    expectProblem(withDns({ srvs: [{ service: 'http', protocol: 'tcp', target: '\0' }] }), 'string.unsafe-char', '/network/dns/srv[1]/@target', ['\\u0000']);
  });
  it('needs hostnames in a host record, none empty', () => {
    expectProblem(withDns({ hosts: [{ ip: '192.168.122.5', hostnames: [] }] }), 'dns.host.no-hostnames', '/network/dns/host[1]', ["'192.168.122.5'"]);
    expectProblem(withDns({ hosts: [{ ip: '192.168.122.5', hostnames: ['a', ''] }] }), 'dns.host.hostname.empty', '/network/dns/host[1]/hostname[2]', ["'192.168.122.5'", 'hostname 2']);
    expectProblem(withDns({ hosts: [{ ip: '192.168.122.5', hostnames: ['a\nb'] }] }), 'string.unsafe-char', '/network/dns/host[1]/hostname[1]', ['a\\nb']);
  });
});
