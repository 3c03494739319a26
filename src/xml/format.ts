/**
 * The canonical formatter: a {@link Network} written byte-for-byte as libvirt 11.3's
 * `virNetworkDefFormatBuf` writes it.
 *
 * Strings are built by concatenation with cached indentation, no DOM: formatting is on the path
 * of every define, dump and save, and libvirt's C formatter is the bar.
 *
 * @module
 */
import { generateUuid } from '../model/define.js';
import { DNSMASQ_NAMESPACE, type Network } from '../model/network.js';
import { escapeText } from './escape.js';
import { formatBandwidth } from './format/bandwidth.js';
import { formatBridge, formatDomain, formatMac, formatMtu, formatPort } from './format/bridge.js';
import { formatDns } from './format/dns.js';
import { formatForward } from './format/forward.js';
import { formatIp } from './format/ip.js';
import { children, put, slotsFor, unknownAttributes } from './format/layout.js';
import { formatDnsmasqOptions, formatMetadata } from './format/metadata.js';
import type { FormatOptions } from './format/options.js';
import { formatPortGroup } from './format/portgroup.js';
import { formatRoute } from './format/route.js';
import { formatVirtualPort } from './format/virtualport.js';
import { formatVlan } from './format/vlan.js';

export type { FormatOptions } from './format/options.js';

/**
 * Write a network as libvirt does: no XML declaration, two-space indentation, single-quoted
 * attributes, children in libvirt's fixed order, defaults written out (uuid, forward mode and
 * dev, bridge stp/delay, hostdev managed, lease unit) and unset values left out.
 *
 * With `inactive` (libvirt's `VIR_NETWORK_XML_INACTIVE`, used for saved configs) the live
 * `connections` counters and the virtual-function pool derived from a `<pf>` are not written.
 *
 * A network without `uuid` gets a random one, as libvirt's parser would have given it. Unknown
 * attributes and elements kept by `parseNetwork(xml, { preserveUnknown: true })` are written back
 * in place.
 *
 * @example
 * ```ts
 * import { defineNetwork, formatNetwork } from 'virtnet';
 *
 * const xml = formatNetwork(defineNetwork({
 *   name: 'default',
 *   uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
 *   forward: { mode: 'nat' },
 *   ips: [{ address: '192.168.122.1', netmask: '255.255.255.0' }],
 * }));
 * // <network>
 * //   <name>default</name>
 * //   <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
 * //   <forward mode='nat'/>
 * //   <bridge stp='on' delay='0'/>
 * //   <ip address='192.168.122.1' netmask='255.255.255.0'>
 * //   </ip>
 * // </network>
 * ```
 */
export function formatNetwork(network: Network, options: FormatOptions = {}): string {
  const dnsmasq = network.dnsmasqOptions !== undefined && network.dnsmasqOptions.length > 0;
  let attrs = dnsmasq ? ` xmlns:dnsmasq='${DNSMASQ_NAMESPACE}'` : '';
  if (!options.inactive && network.connections) attrs += ` connections='${network.connections}'`;
  if (network.ipv6) attrs += " ipv6='yes'";
  if (network.trustGuestRxFilters !== undefined) {
    attrs += ` trustGuestRxFilters='${network.trustGuestRxFilters ? 'yes' : 'no'}'`;
  }
  attrs += unknownAttributes(network.unknown);

  const slots = slotsFor(network.unknown);
  let body = put(slots, '', 'name', `  <name>${escapeText(network.name)}</name>\n`);
  body = put(slots, body, 'uuid', `  <uuid>${network.uuid ?? generateUuid()}</uuid>\n`);
  if (network.title) body = put(slots, body, 'title', `  <title>${escapeText(network.title)}</title>\n`);
  if (network.description) {
    body = put(slots, body, 'description', `  <description>${escapeText(network.description)}</description>\n`);
  }
  body = put(slots, body, 'metadata', formatMetadata(network.metadata, 1));
  body = put(slots, body, 'forward', formatForward(network.forward, options, 1));
  body = put(slots, body, 'bridge', formatBridge(network.bridge, network.forward?.mode, 1));
  body = put(slots, body, 'mtu', formatMtu(network.mtu, 1));
  body = put(slots, body, 'mac', formatMac(network.mac, 1));
  body = put(slots, body, 'domain', formatDomain(network.domain, 1));
  body = put(slots, body, 'dns', formatDns(network.dns, 1));
  body = put(slots, body, 'vlan', formatVlan(network.vlan, 1));
  body = put(slots, body, 'bandwidth', formatBandwidth(network.bandwidth, 1));
  body = put(slots, body, 'port', formatPort(network.port, 1));
  if (network.ips !== undefined) for (const ip of network.ips) body = put(slots, body, 'ip', formatIp(ip, 1));
  if (network.routes !== undefined) for (const r of network.routes) body = put(slots, body, 'route', formatRoute(r, 1));
  body = put(slots, body, 'virtualport', formatVirtualPort(network.virtualport, 1));
  if (network.portgroups !== undefined) {
    for (const pg of network.portgroups) body = put(slots, body, 'portgroup', formatPortGroup(pg, 1));
  }
  body = put(slots, body, 'dnsmasq:options', formatDnsmasqOptions(network.dnsmasqOptions, 1));
  body = children(slots, body, network.unknown, 1);
  return `<network${attrs}>\n${body}</network>\n`;
}
