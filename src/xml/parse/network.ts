/**
 * The root `<network>`: reads its children in libvirt's order (`virNetworkDefParseXML`), which
 * decides which error is reported when a document has several problems:
 * name → uuid → title → description → ipv6 → trustGuestRxFilters → domain → bandwidth → vlan →
 * port → bridge → mac → mtu → dns → virtualport → portgroups → ips → routes (+ gateways) →
 * forward → mode checks → metadata → dnsmasq options.
 *
 * @module
 */
import { generateUuid } from '../../model/define.js';
import type { Network } from '../../model/network.js';
import type { Ip } from '../../model/ip.js';
import type { PortGroup } from '../../model/portgroup.js';
import type { Route } from '../../model/route.js';
import type { UInt, Uuid } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { decodeBandwidth } from './bandwidth.js';
import { decodeBridge, decodeDomain, decodeMac, decodeMtu, decodePort, type DecodedBridge } from './bridge.js';
import { collectUnknown, stringValue, xpathAttr, type ParseContext } from './context.js';
import { decodeDns } from './dns.js';
import { decodeDnsmasqOptions } from './dnsmasq.js';
import { decodeForward } from './forward.js';
import { decodeIp } from './ip.js';
import { decodeMetadata } from './metadata.js';
import { checkModes } from './modes.js';
import { decodePortGroup } from './portgroup.js';
import { checkGateways, decodeRoute } from './route.js';
import { NETWORK_SPEC } from './schema.js';
import { parseUuid } from './scalars.js';
import { decodeVirtualPort } from './virtualport.js';
import { decodeVlan } from './vlan.js';

/** The children of `<network>` libvirt reads, found in one pass. */
interface RootParts {
  name?: XNode;
  uuid?: XNode;
  title?: XNode;
  description?: XNode;
  metadata?: XNode;
  forward?: XNode;
  bridge?: XNode;
  mtu?: XNode;
  mac?: XNode;
  domain?: XNode;
  dns?: XNode;
  vlan?: XNode;
  bandwidth?: XNode;
  port?: XNode;
  virtualport?: XNode;
  ips: XNode[];
  routes: XNode[];
  portgroups: XNode[];
}

function collectParts(root: XNode): RootParts {
  const parts: RootParts = { ips: [], routes: [], portgroups: [] };
  for (const c of root.children) {
    switch (c.name) {
      case 'ip':
        parts.ips.push(c);
        break;
      case 'route':
        parts.routes.push(c);
        break;
      case 'portgroup':
        parts.portgroups.push(c);
        break;
      case 'name':
      case 'uuid':
      case 'title':
      case 'description':
      case 'metadata':
      case 'forward':
      case 'bridge':
      case 'mac':
      case 'domain':
      case 'dns':
      case 'vlan':
      case 'bandwidth':
      case 'port':
      case 'virtualport':
        // First match wins, as libvirt's `./x[1]` queries.
        if (parts[c.name] === undefined) parts[c.name] = c;
        break;
      case 'mtu':
        // `string(./mtu/@size)`: the first <mtu> that has a size.
        if (parts.mtu === undefined || (parts.mtu.attrs['size'] === undefined && c.attrs['size'] !== undefined)) parts.mtu = c;
        break;
    }
  }
  return parts;
}

/** Options the root decoder needs. */
export interface RootOptions {
  generateUuid: boolean;
}

/** Decode `<network>` into the model. */
export function decodeNetworkRoot(root: XNode, ctx: ParseContext, options: RootOptions): Network {
  const p = collectParts(root);

  const name = p.name ? stringValue(p.name) : '';
  if (name === '')
    ctx.fail('network.name.missing', p.name ?? root, '/network/name', 'The network has no name: <name> is missing or empty.');
  ctx.network = name;
  const slash = name.indexOf('/');
  if (slash >= 0)
    ctx.fail('network.name.invalid-char', p.name!, '/network/name', `The network name '${name}' contains '/', which is not allowed.`);
  const net: Network = { name };

  const uuidText = p.uuid ? stringValue(p.uuid) : '';
  if (uuidText !== '') {
    const uuid = parseUuid(uuidText);
    if (uuid === undefined) ctx.fail('network.uuid.invalid', p.uuid!, '/network/uuid', `The UUID '${uuidText}' of ${ctx.net} is malformed.`);
    net.uuid = uuid as Uuid;
  } else if (options.generateUuid) net.uuid = generateUuid();

  const title = p.title ? stringValue(p.title) : '';
  if (title !== '') {
    if (title.includes('\n'))
      ctx.fail('network.title.newline', p.title!, '/network/title', `The title of ${ctx.net} contains a line break; a title must be a single line.`);
    net.title = title;
  }
  const description = p.description ? stringValue(p.description) : '';
  if (description !== '') net.description = description;

  const ipv6 = xpathAttr(root, 'ipv6');
  if (ipv6 !== undefined) {
    if (ipv6 !== 'yes' && ipv6 !== 'no')
      ctx.fail('network.ipv6.invalid', root, '/network/@ipv6', `Invalid ipv6 setting '${ipv6}' in ${ctx.net}: expected 'yes' or 'no'.`);
    if (ipv6 === 'yes') net.ipv6 = true;
  }
  const trust = root.attrs['trustGuestRxFilters'];
  if (trust !== undefined) {
    if (trust !== 'yes' && trust !== 'no')
      ctx.fail(
        'network.trust-guest-rx-filters.invalid',
        root,
        '/network/@trustGuestRxFilters',
        `Invalid trustGuestRxFilters '${trust}' in ${ctx.net}: expected 'yes' or 'no'.`,
      );
    net.trustGuestRxFilters = trust === 'yes';
  }

  if (p.domain) {
    const d = decodeDomain(p.domain, '/network/domain', ctx);
    if (d) net.domain = d;
  }
  if (p.bandwidth) {
    const b = decodeBandwidth(p.bandwidth, '/network/bandwidth', ctx);
    if (b) net.bandwidth = b;
  }
  if (p.vlan) net.vlan = decodeVlan(p.vlan, '/network/vlan', ctx);
  if (p.port) {
    const port = decodePort(p.port, '/network/port', ctx);
    if (port) net.port = port;
  }
  let bridge: DecodedBridge | undefined;
  if (p.bridge) {
    bridge = decodeBridge(p.bridge, '/network/bridge', ctx);
    net.bridge = bridge.bridge;
  }
  if (p.mac) {
    const mac = decodeMac(p.mac, '/network/mac', ctx);
    if (mac) net.mac = mac;
  }
  let mtu: number | undefined;
  if (p.mtu) {
    mtu = decodeMtu(p.mtu, '/network/mtu', ctx);
    if (mtu !== undefined) net.mtu = mtu as UInt;
  }
  if (p.dns) {
    const dns = decodeDns(p.dns, '/network/dns', ctx);
    if (Object.keys(dns).length > 0) net.dns = dns;
  }
  if (p.virtualport) net.virtualport = decodeVirtualPort(p.virtualport, '/network/virtualport', ctx, true);

  if (p.portgroups.length > 0) {
    const pgs: PortGroup[] = [];
    for (let i = 0; i < p.portgroups.length; i++) pgs.push(decodePortGroup(p.portgroups[i]!, `/network/portgroup[${i + 1}]`, ctx));
    net.portgroups = pgs;
  }
  const ips: Ip[] = [];
  for (let i = 0; i < p.ips.length; i++) ips.push(decodeIp(p.ips[i]!, `/network/ip[${i + 1}]`, ctx));
  if (ips.length > 0) net.ips = ips;
  if (p.routes.length > 0) {
    const routes: Route[] = [];
    for (let i = 0; i < p.routes.length; i++) routes.push(decodeRoute(p.routes[i]!, `/network/route[${i + 1}]`, ctx));
    checkGateways(routes, p.routes, ips, ctx);
    net.routes = routes;
  }

  const forward = p.forward ? decodeForward(p.forward, '/network/forward', ctx) : undefined;
  checkModes(
    { forward, forwardNode: p.forward, bridge, bridgeNode: p.bridge, mtu, mtuNode: p.mtu, ipCount: ips.length },
    root,
    ctx,
  );
  if (forward !== undefined && forward.mode !== 'none') net.forward = forward.forward;

  if (p.metadata) {
    const metadata = decodeMetadata(p.metadata);
    if (metadata !== undefined) net.metadata = metadata;
  }
  const dnsmasqOptions = decodeDnsmasqOptions(root, ctx);
  if (dnsmasqOptions !== undefined) net.dnsmasqOptions = dnsmasqOptions;

  if (ctx.preserve) {
    const u = collectUnknown(root, NETWORK_SPEC, true);
    if (u) net.unknown = u;
  }
  return net;
}
