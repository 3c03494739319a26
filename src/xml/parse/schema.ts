/**
 * Which elements and attributes libvirt's network schema (network.rng) knows, per element. Used
 * by `strict` mode (unknown names are errors, as with `virsh net-define --validate`) and by
 * `preserveUnknown` (unknown names are kept in the model's `unknown` fields). Ordinary parsing
 * ignores this table: unknown names are simply not read, as in libvirt.
 *
 * @module
 */
import { DNSMASQ_NAMESPACE } from '../../model/network.js';
import type { XNode } from '../tree.js';

/** What one element may hold. */
export interface ElementSpec {
  readonly attrs: ReadonlySet<string>;
  readonly children: ReadonlyMap<string, ElementSpec>;
  /** Any content is allowed (`<metadata>`). */
  readonly any?: boolean;
  /** Children are matched by namespace URI + local name (`<dnsmasq:options>`). */
  readonly dnsmasq?: boolean;
}

function el(attrs: string[], children: Record<string, ElementSpec> = {}): ElementSpec {
  return { attrs: new Set(attrs), children: new Map(Object.entries(children)) };
}

const LEAF = el([]);
const RATE = el(['average', 'peak', 'burst', 'floor']);
export const BANDWIDTH_SPEC = el(['classID'], { inbound: RATE, outbound: RATE });
export const VLAN_SPEC = el(['trunk'], { tag: el(['id', 'nativeMode']) });
export const VIRTUALPORT_SPEC = el(['type'], {
  parameters: el(['managerid', 'typeid', 'typeidversion', 'instanceid', 'profileid', 'interfaceid']),
});
const LEASE = el(['expiry', 'unit']);

/** `<dnsmasq:options>`: children must be `option` in the dnsmasq namespace. */
export const DNSMASQ_OPTIONS_SPEC: ElementSpec = {
  attrs: new Set(),
  children: new Map([['option', el(['value'])]]),
  dnsmasq: true,
};

export const NETWORK_SPEC = el(['connections', 'ipv6', 'trustGuestRxFilters'], {
  name: LEAF,
  uuid: LEAF,
  title: LEAF,
  description: LEAF,
  metadata: { attrs: new Set(), children: new Map(), any: true },
  forward: el(['dev', 'mode', 'managed'], {
    driver: el(['name', 'model']),
    nat: el(['ipv6'], { address: el(['start', 'end']), port: el(['start', 'end']) }),
    pf: el(['dev']),
    interface: el(['dev', 'connections']),
    address: el(['type', 'domain', 'bus', 'slot', 'function', 'multifunction', 'connections']),
  }),
  bridge: el(['name', 'stp', 'delay', 'macTableManager', 'zone']),
  mtu: el(['size']),
  mac: el(['address']),
  domain: el(['name', 'localOnly', 'register']),
  dns: el(['enable', 'forwardPlainNames'], {
    forwarder: el(['addr', 'domain']),
    txt: el(['name', 'value']),
    srv: el(['service', 'protocol', 'domain', 'target', 'port', 'priority', 'weight']),
    host: el(['ip'], { hostname: LEAF }),
  }),
  vlan: VLAN_SPEC,
  bandwidth: BANDWIDTH_SPEC,
  port: el(['isolated']),
  ip: el(['address', 'netmask', 'prefix', 'family', 'localPtr'], {
    tftp: el(['root']),
    dhcp: el([], {
      range: el(['start', 'end'], { lease: LEASE }),
      host: el(['mac', 'id', 'name', 'ip'], { lease: LEASE }),
      bootp: el(['file', 'server']),
    }),
  }),
  route: el(['family', 'address', 'netmask', 'prefix', 'gateway', 'metric']),
  virtualport: VIRTUALPORT_SPEC,
  portgroup: el(['name', 'default', 'trustGuestRxFilters'], {
    vlan: VLAN_SPEC,
    virtualport: VIRTUALPORT_SPEC,
    bandwidth: BANDWIDTH_SPEC,
  }),
});

/** The spec of the element at `path` below `<network>`, for example `['ip', 'dhcp', 'host']`. */
export function specAt(...names: string[]): ElementSpec {
  let spec = NETWORK_SPEC;
  for (const n of names) {
    const next = spec.children.get(n);
    if (next === undefined) throw new Error(`no schema entry for ${names.join('/')}`);
    spec = next;
  }
  return spec;
}

/** Namespace declarations are never unknown. */
export function isNamespaceDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

/** The namespace URI bound to `prefix` ('' = default namespace) at `node`, if any. */
export function resolvePrefix(node: XNode | undefined, prefix: string): string | undefined {
  const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  for (let n = node; n !== undefined; n = n.parent) {
    const uri = n.attrs[attr];
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** Split `a:b` into prefix and local name (`''` prefix when there is none). */
export function splitName(name: string): [prefix: string, local: string] {
  const colon = name.indexOf(':');
  return colon < 0 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

/** True when `node` is `<X:local>` with X bound to the dnsmasq namespace. */
export function isDnsmasqElement(node: XNode, local: string): boolean {
  const [prefix, name] = splitName(node.name);
  return name === local && prefix !== '' && resolvePrefix(node, prefix) === DNSMASQ_NAMESPACE;
}

/** The spec for child `child` of an element with spec `parent`, or undefined when unknown. */
export function childSpec(parent: ElementSpec, child: XNode, atRoot: boolean): ElementSpec | undefined {
  if (parent.dnsmasq) return isDnsmasqElement(child, 'option') ? parent.children.get('option') : undefined;
  if (atRoot && child.name.indexOf(':') >= 0) {
    return isDnsmasqElement(child, 'options') ? DNSMASQ_OPTIONS_SPEC : undefined;
  }
  return parent.children.get(child.name);
}
