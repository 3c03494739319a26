/** parseNetworkWithSource: locating validator and parser paths in the document. */
import { describe, expect, it } from 'vitest';
import { validateNetwork } from '../../src/validate/index.js';
import { NetworkXmlError, parseNetwork, parseNetworkWithSource } from '../../src/xml/index.js';

const DOC = `<network>
  <name>bad</name>
  <forward mode='nat'/>
  <bridge name='virbr9'/>
  <ip address='192.168.122.1' prefix='24'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.100'/>
      <host mac='52:54:00:00:00:01' ip='192.168.122.10'/>
      <host mac='52:54:00:00:00:01' ip='192.168.122.10'/>
      <host mac='52:54:00:00:00:02'
            ip='192.168.123.10'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='2001:db8::1' prefix='64'/>
  <portgroup name='p'/><portgroup name='p'/>
  <x:options xmlns:x='http://libvirt.org/schemas/network/dnsmasq/1.0'><x:option value='a'/></x:options>
  <x:options xmlns:x='http://libvirt.org/schemas/network/dnsmasq/1.0'><x:option value='b'/><x:option value='c'/></x:options>
</network>
`;

describe('parseNetworkWithSource', () => {
  const { network, locate } = parseNetworkWithSource(DOC);

  it('returns the same model as parseNetwork', () => {
    expect(parseNetworkWithSource(DOC, { generateUuid: false }).network).toEqual(parseNetwork(DOC, { generateUuid: false }));
    expect(network.name).toBe('bad');
    expect(network.ips).toHaveLength(2);
  });

  it('locates elements at the < of their start tag', () => {
    expect(locate('/network')).toEqual({ line: 1, column: 1 });
    expect(locate('/network/name')).toEqual({ line: 2, column: 3 });
    expect(locate('/network/ip[1]/dhcp')).toEqual({ line: 6, column: 5 });
    expect(locate('/network/ip[1]/dhcp/range[1]')).toEqual({ line: 7, column: 7 });
  });

  it('locates attributes at their name, on whatever line they stand', () => {
    expect(locate('/network/bridge/@name')).toEqual({ line: 4, column: 11 });
    expect(locate('/network/ip[1]/dhcp/host[1]/@ip')).toEqual({ line: 8, column: 37 });
    expect(locate('/network/ip[1]/dhcp/host[3]/@ip')).toEqual({ line: 11, column: 13 });
  });

  it('counts repeated elements among same-name siblings', () => {
    expect(locate('/network/ip[2]')).toEqual({ line: 14, column: 3 });
    expect(locate('/network/ip[2]/@address')).toEqual({ line: 14, column: 21 });
    expect(locate('/network/portgroup[1]')).toEqual({ line: 15, column: 3 });
    expect(locate('/network/portgroup[2]')).toEqual({ line: 15, column: 24 });
    expect(locate('/network/ip[1]/dhcp/host[2]')).toEqual({ line: 9, column: 7 });
  });

  it('finds dnsmasq options by namespace, counted over every <dnsmasq:options> like the model', () => {
    expect(locate('/network/dnsmasq:options')).toEqual({ line: 16, column: 3 });
    expect(locate('/network/dnsmasq:options/dnsmasq:option[1]/@value')).toEqual({ line: 16, column: 81 });
    expect(locate('/network/dnsmasq:options/dnsmasq:option[2]/@value')).toEqual({ line: 17, column: 81 });
    expect(locate('/network/dnsmasq:options/dnsmasq:option[3]/@value')).toEqual({ line: 17, column: 102 });
  });

  it('falls back to the element for a missing attribute; undefined for a missing element or a bad path', () => {
    expect(locate('/network/ip[1]/@netmask')).toEqual({ line: 5, column: 3 });
    expect(locate('/network/ip[3]')).toBeUndefined();
    expect(locate('/network/dns')).toBeUndefined();
    expect(locate('/network/ip[0]')).toBeUndefined();
    expect(locate('/other')).toBeUndefined();
    expect(locate('network/ip[1]')).toBeUndefined();
    expect(locate('/network/ip[1]/@')).toBeUndefined();
    expect(locate('')).toBeUndefined();
  });

  it('locates every problem validateNetwork finds in the document', () => {
    const found = validateNetwork(network).map((p) => [p.code, p.path, locate(p.path)]);
    expect(found).toEqual([
      ['dhcp.host.duplicate-mac', '/network/ip[1]/dhcp/host[2]/@mac', { line: 9, column: 13 }],
      ['dhcp.host.duplicate-ip', '/network/ip[1]/dhcp/host[2]/@ip', { line: 9, column: 37 }],
      ['dhcp.host.ip.outside-network', '/network/ip[1]/dhcp/host[3]/@ip', { line: 11, column: 13 }],
      ['portgroup.name.duplicate', '/network/portgroup[2]/@name', { line: 15, column: 35 }],
    ]);
  });

  it('agrees with the positions of the parser’s own errors (same path rule)', () => {
    const broken = DOC.replace("mac='52:54:00:00:00:02'", "mac='52:54:00:00:00:0z'");
    let error: NetworkXmlError | undefined;
    try {
      parseNetwork(broken);
    } catch (e) {
      error = e as NetworkXmlError;
    }
    expect(error).toBeInstanceOf(NetworkXmlError);
    expect(error!.path).toBe('/network/ip[1]/dhcp/host[3]/@mac');
    expect(locate(error!.path)).toEqual({ line: error!.line, column: error!.column });
  });

  it('reads byte input and keeps the parse options', () => {
    const bytes = new TextEncoder().encode(DOC);
    const r = parseNetworkWithSource(bytes, { generateUuid: false });
    expect(r.network.uuid).toBeUndefined();
    expect(r.locate('/network/ip[2]')).toEqual({ line: 14, column: 3 });
  });
});
