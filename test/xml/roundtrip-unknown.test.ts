/**
 * Unknown content kept by `parseNetwork(xml, { preserveUnknown: true })` is written back where it
 * was: unknown attributes after the known ones, unknown elements after the known sibling they
 * followed, at every level of the document.
 */
import { describe, expect, it } from 'vitest';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';

const xml = `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0' extra='1'>
  <first a="1"/>
  <name>n</name>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward dev='eth0' mode='nat' fx='y'>
    <nat>
      <port start='1' end='2' q='r'/>
      <natx/>
    </nat>
    <interface dev='eth0'/>
    <fwdx b="2">text &amp; more</fwdx>
  </forward>
  <bridge name='br' stp='on' delay='0' z='1'>
    <inside/>
  </bridge>
  <afterbridge/>
  <dns>
    <txt name='k' value='v' t='1'/>
    <dnsx/>
    <host ip='10.0.0.5'>
      <hostname>a</hostname>
      <hx/>
    </host>
  </dns>
  <ip address='10.0.0.1' prefix='24' i='1'>
    <dhcp>
      <range start='10.0.0.2' end='10.0.0.9'>
        <lease expiry='5' unit='minutes' l='1'/>
        <leasex/>
      </range>
      <host mac='00:11:22:33:44:55' ip='10.0.0.3' h='1'/>
    </dhcp>
    <ipx/>
  </ip>
  <portgroup name='pg'>
    <vlan>
      <tag id='1'/>
    </vlan>
    <pgx/>
  </portgroup>
  <dnsmasq:options>
    <dnsmasq:option value='x'/>
  </dnsmasq:options>
  <last/>
</network>
`;


describe('unknown content round trip', () => {
  it('a canonical document with unknown attributes and elements at every level comes back byte for byte', () => {
    expect(formatNetwork(parseNetwork(xml, { preserveUnknown: true }))).toBe(xml);
  });

  it('without preserveUnknown the unknown content is dropped, as libvirt drops it', () => {
    const out = formatNetwork(parseNetwork(xml));
    expect(out).not.toMatch(/<(first|afterbridge|natx|fwdx|inside|dnsx|hx|leasex|ipx|pgx|last)\b| (extra|fx|z|t|i|l|h|q)=/);
    expect(out).toContain("<forward dev='eth0' mode='nat'>");
  });

  it('an unknown element whose known sibling is gone goes to the end of its parent', () => {
    const m = parseNetwork(xml, { preserveUnknown: true });
    delete m.bridge;
    m.forward = { mode: 'bridge', interfaces: [{ dev: 'eth0' }] };
    const out = formatNetwork(m);
    expect(out.endsWith("  <last/>\n  <afterbridge/>\n</network>\n")).toBe(true);
  });
});
