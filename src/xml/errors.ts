/**
 * The typed error of the XML parser: a stable dotted `code`, the element path, and the
 * line/column in the document where the offending element starts.
 *
 * @module
 */

/**
 * Every code {@link NetworkXmlError} can carry. Codes are stable: tools may match on them.
 * `xml.*` are document-level problems (malformed, hostile or over-limit input), `unknown.*` come
 * from `strict` mode, and the rest name the element and attribute whose check failed, following
 * libvirt's own parser checks.
 */
export const NETWORK_XML_ERROR_CODES = [
  // Document level.
  'xml.malformed',
  'xml.doctype',
  'xml.encoding',
  'xml.too-large',
  'xml.too-deep',
  'xml.too-many-elements',
  'xml.root',
  'xml.internal',
  // strict mode (libvirt's schema validation).
  'unknown.element',
  'unknown.attribute',
  // <network> and its simple children.
  'network.name.missing',
  'network.name.invalid-char',
  'network.uuid.invalid',
  'network.title.newline',
  'network.ipv6.invalid',
  'network.trust-guest-rx-filters.invalid',
  // <domain>
  'domain.local-only.invalid',
  'domain.register.invalid',
  'domain.register.requires-local-only',
  // <bandwidth>
  'bandwidth.class-id.unsupported',
  'bandwidth.rate.invalid',
  'bandwidth.rate.missing-average',
  'bandwidth.rate.requires-average',
  'bandwidth.floor.unsupported',
  // <vlan>
  'vlan.tag.missing',
  'vlan.tag.id.missing',
  'vlan.tag.id.invalid',
  'vlan.tag.id.too-large',
  'vlan.native-mode.invalid',
  'vlan.native-mode.duplicate',
  'vlan.trunk.invalid',
  'vlan.trunk.required',
  'vlan.trunk.no-with-native',
  // <port>
  'port.isolated.invalid',
  // <bridge>, <mac>, <mtu>
  'bridge.delay.invalid',
  'bridge.mac-table-manager.invalid',
  'bridge.name.not-allowed',
  'bridge.zone.not-allowed',
  'bridge.mac-table-manager.not-allowed',
  'bridge.options.not-allowed',
  'bridge.name.with-forward-dev',
  'mac.invalid',
  'mac.multicast',
  'mtu.invalid',
  'mtu.not-allowed',
  // <dns>
  'dns.enable.invalid',
  'dns.forward-plain-names.invalid',
  'dns.forwarder.addr.invalid',
  'dns.forwarder.empty',
  'dns.host.ip.missing',
  'dns.host.ip.invalid',
  'dns.host.hostname.missing',
  'dns.srv.service.missing',
  'dns.srv.service.too-long',
  'dns.srv.service.invalid-char',
  'dns.srv.protocol.missing',
  'dns.srv.protocol.invalid-char',
  'dns.srv.port.without-target',
  'dns.srv.priority.without-target',
  'dns.srv.weight.without-target',
  'dns.srv.port.invalid',
  'dns.srv.priority.invalid',
  'dns.srv.weight.invalid',
  'dns.txt.name.missing',
  'dns.txt.name.invalid-char',
  'dns.txt.value.missing',
  'dns.disabled.extra-data',
  // <virtualport>
  'virtualport.type.missing',
  'virtualport.type.invalid',
  'virtualport.managerid.invalid',
  'virtualport.typeid.invalid',
  'virtualport.typeidversion.invalid',
  'virtualport.instanceid.invalid',
  'virtualport.interfaceid.invalid',
  'virtualport.profileid.too-long',
  'virtualport.parameter.unsupported',
  // <portgroup>
  'portgroup.name.missing',
  'portgroup.trust-guest-rx-filters.invalid',
  // <ip>
  'ip.address.missing',
  'ip.address.invalid',
  'ip.family.mismatch',
  'ip.family.invalid',
  'ip.netmask.invalid',
  'ip.netmask.ipv6',
  'ip.netmask.with-prefix',
  'ip.prefix.invalid',
  'ip.local-ptr.invalid',
  'tftp.ipv6',
  'dhcp.range.start.missing',
  'dhcp.range.end.missing',
  'dhcp.range.start.invalid',
  'dhcp.range.end.invalid',
  'dhcp.range.family-mismatch',
  'dhcp.range.bad-prefix',
  'dhcp.range.outside-network',
  'dhcp.range.network-address',
  'dhcp.range.broadcast-address',
  'dhcp.range.reversed',
  'dhcp.range.too-large',
  'dhcp.host.mac.ipv6',
  'dhcp.host.mac.invalid',
  'dhcp.host.mac.multicast',
  'dhcp.host.id.invalid-char',
  'dhcp.host.name.invalid',
  'dhcp.host.ip.missing',
  'dhcp.host.ip.invalid',
  'dhcp.host.mac-or-name.missing',
  'dhcp.host.id-or-name.missing',
  'lease.expiry.invalid',
  'lease.unit.invalid',
  'lease.too-short',
  'bootp.file.missing',
  'bootp.server.invalid',
  // <route>
  'route.address.missing',
  'route.gateway.missing',
  'route.address.invalid',
  'route.gateway.invalid',
  'route.netmask.invalid',
  'route.address.family-mismatch',
  'route.gateway.family-mismatch',
  'route.netmask.family-mismatch',
  'route.netmask.with-prefix',
  'route.prefix.invalid',
  'route.family.invalid',
  'route.address.not-network',
  'route.metric.invalid',
  'route.gateway.unreachable',
  // <forward>
  'forward.mode.invalid',
  'forward.driver.name.invalid',
  'forward.nat.not-nat-mode',
  'forward.nat.duplicate',
  'forward.nat.ipv6.invalid',
  'forward.nat.address.duplicate',
  'forward.nat.address.start.missing',
  'forward.nat.address.end.missing',
  'forward.nat.address.start.invalid',
  'forward.nat.address.end.invalid',
  'forward.nat.address.reversed',
  'forward.nat.address.too-large',
  'forward.nat.port.duplicate',
  'forward.nat.port.start.invalid',
  'forward.nat.port.end.invalid',
  'forward.dev.with-address-or-pf',
  'forward.interface.dev.missing',
  'forward.interface.mismatch',
  'forward.interface.duplicate',
  'forward.address.type.missing',
  'forward.address.type.invalid',
  'forward.address.type.unsupported',
  'forward.address.pci.invalid',
  'forward.address.multifunction.invalid',
  'forward.address.duplicate',
  'forward.pf.duplicate',
  'forward.pf.dev.missing',
  'forward.ip.missing',
  'forward.interface.multiple',
  'forward.dev.not-allowed',
  // <dnsmasq:options>
  'dnsmasq.option.value.missing',
] as const;

/** One of {@link NETWORK_XML_ERROR_CODES}. */
export type NetworkXmlErrorCode = (typeof NETWORK_XML_ERROR_CODES)[number];

/** Where a problem is: element path plus, when known, its position in the document. */
export interface XmlProblem {
  code: NetworkXmlErrorCode;
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/**
 * A document libvirt would refuse, or one the parser refuses for safety.
 *
 * `path` names the element (and attribute) at fault: `/network/ip[2]/dhcp/host[3]/@mac`. Elements
 * the schema allows only once in their parent (`bridge`, `dns`, `dhcp`, `nat`, `lease`, …) never
 * carry an index; every other element (`ip`, `route`, `portgroup`, `range`, `host`, `forwarder`,
 * `txt`, `srv`, `hostname`, `interface`, forward `address`, `tag`, `option`, unknown elements)
 * always does: its 1-based position among the siblings of the same name, as in XPath. Document-level
 * errors (`xml.*`) have an empty path, except `xml.root` (`/`). `line`/`column` (1-based) point at the attribute when the
 * path ends in one, else at the `<` of the element's start tag. `message` is one sentence naming
 * the value and the network.
 *
 * @example
 * ```ts
 * try {
 *   parseNetwork(xml);
 * } catch (e) {
 *   if (e instanceof NetworkXmlError) console.error(e.format('net.xml'));
 * }
 * ```
 */
export class NetworkXmlError extends Error {
  override readonly name = 'NetworkXmlError';
  readonly code: NetworkXmlErrorCode;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  /** Every problem found; the parser stops at the first one, so this holds that one. */
  readonly problems: XmlProblem[];

  constructor(problem: XmlProblem) {
    super(problem.message);
    this.code = problem.code;
    this.path = problem.path;
    if (problem.line !== undefined) this.line = problem.line;
    if (problem.column !== undefined) this.column = problem.column;
    this.problems = [problem];
  }

  /**
   * `FILE:LINE:COL: PATH: message`, the form the CLI prints (position parts are left out when
   * unknown; the path when empty).
   */
  format(file = '<input>'): string {
    let where = file;
    if (this.line !== undefined) where += `:${this.line}`;
    if (this.line !== undefined && this.column !== undefined) where += `:${this.column}`;
    return this.path ? `${where}: ${this.path}: ${this.message}` : `${where}: ${this.message}`;
  }

  override toString(): string {
    return this.format();
  }
}

/** True for a value that is one of the stable error codes. */
export function isNetworkXmlErrorCode(value: unknown): value is NetworkXmlErrorCode {
  return typeof value === 'string' && (NETWORK_XML_ERROR_CODES as readonly string[]).includes(value);
}
