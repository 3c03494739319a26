/**
 * fast-check arbitraries of valid networks in canonical form: models that libvirt 11.3's parser
 * accepts and that it would give back unchanged after format → parse (canonical addresses,
 * lowercase bridge MAC, DHCP ranges inside their subnet, defaults spelled out the way the
 * formatter writes them, no values the formatter drops).
 *
 * @module
 */
import fc from 'fast-check';
import {
  addressFromBytes,
  addressToBigInt,
  networkAddress,
  prefixToNetmask,
  type Bandwidth,
  type Dhcp,
  type Dns,
  type Forward,
  type ForwardMode,
  type Ip,
  type Network,
  type PortGroup,
  type Route,
  type VirtualPort,
  type Vlan,
  type XmlElement,
} from '../../src/model/index.js';

// --- strings -----------------------------------------------------------------------------------

/** Characters that exercise escaping (quotes, ampersand, angle brackets, non-ASCII). */
const SPICY = ['<', '>', '&', '"', "'", ' ', 'é', '日', '😀', '=', ';'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');

/** A string starting with a letter or digit, then letters, digits and the given extras. */
function word(extra: string[], maxLength = 12): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...ALNUM), fc.array(fc.constantFrom(...ALNUM, ...extra), { maxLength }))
    .map(([first, rest]) => first + rest.join(''));
}

/** Any text with characters that need escaping; never empty nor blank. */
export const spicyText = word([...SPICY, '\t'], 16);
/** Text with newlines too (description, attribute values). */
const multilineText = word([...SPICY, '\t', '\n'], 16);
const dnsName = word(['.', '-'], 12).map((s) => s.replace(/[.-]+$/, '') || 'x');
const devName = word(['.', '-', '_'], 10);

// --- addresses ---------------------------------------------------------------------------------

function v4(n: bigint): string {
  return addressFromBytes([24, 16, 8, 0].map((s) => Number((n >> BigInt(s)) & 255n)));
}

function v6(n: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 255n));
  return addressFromBytes(bytes);
}

const unicastMac = fc
  .tuple(fc.integer({ min: 0, max: 127 }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 }))
  .map(([first, rest]) => [first * 2, ...rest].map((b) => b.toString(16).padStart(2, '0')).join(':'));

/** A DHCP host MAC as a user may write it (case kept verbatim by libvirt). */
const hostMac = fc.tuple(unicastMac, fc.boolean()).map(([m, upper]) => (upper ? m.toUpperCase() : m));

// --- leases ------------------------------------------------------------------------------------

const lease = fc.oneof(
  // An infinite lease: the unit is not written, and reads back as libvirt's default, minutes.
  fc.constant({ expiry: 0, unit: 'minutes' as const }),
  fc.record({ expiry: fc.integer({ min: 120, max: 100_000 }), unit: fc.constant('seconds' as const) }),
  fc.record({ expiry: fc.integer({ min: 2, max: 10_000 }), unit: fc.constant('minutes' as const) }),
  fc.record({ expiry: fc.integer({ min: 1, max: 1000 }), unit: fc.constant('hours' as const) }),
);

// --- <ip> --------------------------------------------------------------------------------------

/** One subnet with the `<ip>` on its first host address. */
interface Subnet {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

const subnet4: fc.Arbitrary<Subnet> = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 8, max: 30 }))
  .map(([first, rest, prefix]) => {
    const raw = (BigInt(first) << 24n) | BigInt(rest);
    const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix);
    return { family: 4 as const, network: raw & mask, prefix };
  });

const subnet6: fc.Arbitrary<Subnet> = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.constantFrom(48, 56, 64, 64, 64, 96, 112))
  .map(([site, prefix]) => {
    // fd00::/8 unique-local space, never an IPv4-mapped form.
    const raw = (0xfdn << 120n) | (site << 80n);
    const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
    return { family: 6 as const, network: raw & mask, prefix };
  });

/** A range inside the subnet that libvirt accepts (not network/broadcast, ≤ 65536 addresses). */
function rangeIn(s: Subnet): fc.Arbitrary<{ start: string; end: string }> {
  const size = 1n << BigInt((s.family === 4 ? 32 : 128) - s.prefix);
  if (s.family === 4) {
    const lo = s.network + 2n;
    const hi = s.network + size - 2n;
    return fc
      .tuple(fc.bigInt({ min: lo, max: hi }), fc.bigInt({ min: 0n, max: 65535n }))
      .map(([start, span]) => {
        // Stay inside one /16 as well: libvirt before 10.x refused ranges crossing one, and it
        // keeps every generated range valid for both.
        const limit = (start | 0xffffn) < hi ? start | 0xffffn : hi;
        return { start: v4(start), end: v4(start + span > limit ? limit : start + span) };
      });
  }
  // IPv6: start and end must share their first 112 bits.
  const blocks = size >> 16n;
  return fc
    .tuple(fc.bigInt({ min: 0n, max: blocks > 0n ? blocks - 1n : 0n }), fc.integer({ min: 2, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
    .map(([block, a, b]) => {
      const base = s.network + (block << 16n);
      const lowMax = size < 65536n ? Number(size) - 1 : 0xffff;
      const x = Math.min(a, lowMax);
      const y = Math.min(Math.max(x, b), lowMax);
      return { start: v6(base + BigInt(x)), end: v6(base + BigInt(y)) };
    });
}

function hostIn(s: Subnet): fc.Arbitrary<string> {
  const size = 1n << BigInt((s.family === 4 ? 32 : 128) - s.prefix);
  return fc.bigInt({ min: 1n, max: size - 2n }).map((o) => (s.family === 4 ? v4(s.network + o) : v6(s.network + o)));
}

const duid = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 10 }).map((b) => b.map((x) => x.toString(16)).join(':'));

function dhcpHostIn(s: Subnet) {
  const names = word(['.', '-', '_'], 10);
  const ident =
    s.family === 4
      ? fc.oneof(
          fc.record({ mac: hostMac }),
          fc.record({ name: names }),
          fc.record({ mac: hostMac, name: names }),
        )
      : fc.oneof(fc.record({ id: duid }), fc.record({ name: names }), fc.record({ id: duid, name: names }));
  return fc
    .tuple(ident, hostIn(s), fc.option(lease, { nil: undefined }))
    .map(([id, ip, l]) => ({ ...id, ip, ...(l ? { lease: l } : {}) }));
}

function dhcpIn(s: Subnet): fc.Arbitrary<Dhcp> {
  return fc
    .tuple(
      fc.array(fc.tuple(rangeIn(s), fc.option(lease, { nil: undefined })), { maxLength: 3 }),
      fc.array(dhcpHostIn(s), { maxLength: 4 }),
      s.family === 4
        ? fc.option(fc.record({ file: spicyText, server: fc.option(hostIn(s), { nil: undefined }) }, { requiredKeys: ['file'] }), { nil: undefined })
        : fc.constant(undefined),
    )
    .filter(([ranges, hosts]) => ranges.length + hosts.length > 0)
    .map(([ranges, hosts, bootp]) => {
      const dhcp: Record<string, unknown> = {};
      if (ranges.length) dhcp['ranges'] = ranges.map(([r, l]) => (l ? { ...r, lease: l } : r));
      if (hosts.length) dhcp['hosts'] = hosts;
      if (bootp) dhcp['bootp'] = bootp.server === undefined ? { file: bootp.file } : bootp;
      return dhcp as Dhcp;
    });
}

function ipOf(s: Subnet): fc.Arbitrary<Ip> {
  const address = s.family === 4 ? v4(s.network + 1n) : v6(s.network + 1n);
  const mask =
    s.family === 4
      ? fc.constantFrom<Record<string, unknown>>({ prefix: s.prefix }, { netmask: prefixToNetmask(s.prefix) })
      : fc.constant<Record<string, unknown>>({ prefix: s.prefix });
  return fc
    .record(
      {
        family: s.family === 4 ? fc.constantFrom('ipv4' as const) : fc.constant('ipv6' as const),
        mask,
        localPtr: fc.boolean(),
        tftp: s.family === 4 ? fc.record({ root: spicyText }) : fc.constant(undefined),
        dhcp: dhcpIn(s),
      },
      { requiredKeys: ['mask'] },
    )
    .map(({ family, mask: m, tftp, ...rest }) => {
      const ip: Record<string, unknown> = { address, ...m, ...rest };
      if (s.family === 6) ip['family'] = 'ipv6';
      else if (family) ip['family'] = family;
      if (tftp) ip['tftp'] = tftp;
      return ip as Ip;
    });
}

// --- routes ------------------------------------------------------------------------------------

function routeVia(s: Subnet): fc.Arbitrary<Route> {
  return fc
    .tuple(s.family === 4 ? subnet4 : subnet6, hostIn(s), fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }), fc.boolean())
    .map(([dest, gateway, metric, useNetmask]) => {
      const address = dest.family === 4 ? v4(dest.network) : v6(dest.network);
      const route: Record<string, unknown> = { address, gateway };
      if (s.family === 6) route['family'] = 'ipv6';
      if (s.family === 4 && useNetmask) route['netmask'] = prefixToNetmask(dest.prefix);
      else route['prefix'] = dest.prefix;
      if (metric !== undefined) route['metric'] = metric;
      return route as Route;
    });
}

// --- dns ---------------------------------------------------------------------------------------

const srvService = word(['_', '+', '-'], 8);
const dnsArb: fc.Arbitrary<Dns> = fc
  .record(
    {
      enable: fc.boolean(),
      forwardPlainNames: fc.boolean(),
      forwarders: fc.array(
        fc.oneof(
          fc.record({ addr: fc.oneof(subnet4.map((s) => v4(s.network + 1n)), subnet6.map((s) => v6(s.network + 1n))) }),
          fc.record({ domain: spicyText }),
          fc.record({ domain: spicyText, addr: subnet4.map((s) => v4(s.network + 1n)) }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      txts: fc.array(fc.record({ name: word(['.', '_', '-'], 8), value: multilineText }), { minLength: 1, maxLength: 2 }),
      srvs: fc.array(
        fc.record(
          {
            service: srvService,
            protocol: fc.constantFrom('tcp', 'udp'),
            domain: spicyText,
            target: fc.record(
              {
                target: spicyText,
                port: fc.integer({ min: 1, max: 65535 }),
                priority: fc.integer({ min: 1, max: 65535 }),
                weight: fc.integer({ min: 1, max: 65535 }),
              },
              { requiredKeys: ['target'] },
            ),
          },
          { requiredKeys: ['service', 'protocol'] },
        ).map(({ target, ...rest }) => ({ ...rest, ...(target ?? {}) })),
        { minLength: 1, maxLength: 2 },
      ),
      hosts: fc.array(
        fc.record({
          ip: fc.oneof(subnet4.map((s) => v4(s.network + 5n)), subnet6.map((s) => v6(s.network + 5n))),
          hostnames: fc.array(spicyText, { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((dns) => {
    // Records are not allowed in a disabled dns.
    if (dns.enable === false) return { enable: false, ...(dns.forwardPlainNames === undefined ? {} : { forwardPlainNames: dns.forwardPlainNames }) };
    return dns;
  })
  .filter((dns) => Object.keys(dns).length > 0) as fc.Arbitrary<Dns>;

// --- vlan, bandwidth, virtualport, portgroup ---------------------------------------------------

const vlanArb: fc.Arbitrary<Vlan> = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.option(fc.constantFrom('tagged' as const, 'untagged' as const), { nil: undefined }))
  .map(([ids, trunkOne, native]) => {
    const trunk = ids.length > 1 || trunkOne || native !== undefined;
    const tags = ids.map((id, i) => (i === 0 && native && trunk ? { id, nativeMode: native } : { id }));
    return trunk ? { trunk: true, tags } : { tags };
  }) as fc.Arbitrary<Vlan>;

const rateArb = fc.record(
  { average: fc.integer({ min: 1, max: 1e9 }), peak: fc.integer({ min: 1, max: 1e9 }), burst: fc.integer({ min: 1, max: 1e9 }) },
  { requiredKeys: ['average'] },
);
const bandwidthArb: fc.Arbitrary<Bandwidth> = fc
  .record({ inbound: rateArb, outbound: rateArb }, { requiredKeys: [] })
  .filter((b) => b.inbound !== undefined || b.outbound !== undefined) as fc.Arbitrary<Bandwidth>;

const uuidArb = fc.uuid({ version: 4 });
const profileId = word(['-', '_', '.'], 20);

/** A virtualport whose parameters are all ones libvirt allows, and writes, for its type. */
function virtualPortArb(typeRequired: boolean): fc.Arbitrary<VirtualPort> {
  const byType = fc.oneof(
    fc.record(
      {
        type: fc.constant('802.1Qbg' as const),
        parameters: fc.record(
          {
            managerid: fc.integer({ min: 0, max: 0xff }),
            typeid: fc.integer({ min: 0, max: 0xffffff }),
            typeidversion: fc.integer({ min: 0, max: 0xff }),
            instanceid: uuidArb,
          },
          { requiredKeys: ['managerid'] },
        ),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant('802.1Qbh' as const), parameters: fc.record({ profileid: profileId }) }, { requiredKeys: ['type'] }),
    fc.record(
      { type: fc.constant('openvswitch' as const), parameters: fc.record({ interfaceid: uuidArb, profileid: profileId }, { requiredKeys: ['profileid'] }) },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant('midonet' as const), parameters: fc.record({ interfaceid: uuidArb }) }, { requiredKeys: ['type'] }),
  );
  const untyped = fc.record({ parameters: fc.record({ profileid: profileId }) });
  return (typeRequired ? byType : fc.oneof(byType, untyped)) as fc.Arbitrary<VirtualPort>;
}

const portGroupsArb: fc.Arbitrary<PortGroup[]> = fc
  .uniqueArray(
    fc.record(
      {
        name: word(['-', '_', '.', ' ', '"', '>'], 10),
        trustGuestRxFilters: fc.boolean(),
        vlan: vlanArb,
        virtualport: virtualPortArb(false),
        bandwidth: bandwidthArb,
      },
      { requiredKeys: ['name'] },
    ),
    { maxLength: 3, selector: (p) => p.name },
  )
  .chain((groups) =>
    fc.integer({ min: -1, max: groups.length - 1 }).map((d) => groups.map((g, i) => (i === d ? { ...g, default: true } : g))),
  ) as fc.Arbitrary<PortGroup[]>;

// --- metadata ----------------------------------------------------------------------------------

function metadataChild(index: number): fc.Arbitrary<XmlElement> {
  const prefix = `m${index}`;
  const name = word(['-', '_'], 6).map((n) => `${prefix}:${n.replace(/^[0-9]/, 'n')}`);
  const attrs = fc.uniqueArray(
    fc.record({ name: word([], 5).map((n) => `a${n}`), value: multilineText }),
    { maxLength: 2, selector: (a) => a.name },
  );
  const leaf = fc.record({ name, attributes: attrs, text: fc.option(spicyText, { nil: undefined }) }).map(
    ({ name: n, attributes, text }): XmlElement => ({
      type: 'element',
      name: n,
      attributes,
      children: text === undefined ? [] : [{ type: 'text', text }],
    }),
  );
  const inner = fc.record({ name, attributes: attrs, children: fc.array(leaf, { maxLength: 3 }) }).map(
    ({ name: n, attributes, children }): XmlElement => ({ type: 'element', name: n, attributes, children }),
  );
  return fc.tuple(fc.oneof(leaf, inner), fc.webUrl()).map(([el, uri]) => ({
    ...el,
    // One namespace per top-level child, declared first, as libvirt's sanitiser keeps them.
    attributes: [{ name: `xmlns:${prefix}`, value: `${uri}/ns${index}` }, ...el.attributes],
  }));
}

const metadataArb = fc
  .integer({ min: 1, max: 3 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => metadataChild(i))));

// --- forward and the whole network -------------------------------------------------------------

const ROUTED: ForwardMode[] = ['nat', 'route', 'open'];

function pciAddresses(): fc.Arbitrary<Array<{ domain: number; bus: number; slot: number; function: number }>> {
  return fc.uniqueArray(
    fc.record({
      domain: fc.integer({ min: 0, max: 0xffff }),
      bus: fc.integer({ min: 0, max: 0xff }),
      slot: fc.integer({ min: 0, max: 0x1f }),
      function: fc.integer({ min: 0, max: 7 }),
    }),
    { minLength: 1, maxLength: 4, selector: (a) => `${a.domain}:${a.bus}:${a.slot}.${a.function}` },
  );
}

const interfaces = (min: number, max: number) =>
  fc.uniqueArray(devName, { minLength: min, maxLength: max }).map((devs) => devs.map((dev) => ({ dev })));

function forwardArb(mode: ForwardMode | 'none'): fc.Arbitrary<Forward | undefined> {
  switch (mode) {
    case 'none':
      return fc.constant(undefined);
    case 'nat':
      return fc
        .record(
          {
            interfaces: interfaces(1, 1),
            nat: fc
              .record(
                {
                  ipv6: fc.boolean(),
                  address: subnet4.chain((s) => rangeIn({ ...s, prefix: Math.max(s.prefix, 16) })),
                  port: fc.integer({ min: 1, max: 65535 }).chain((start) => fc.integer({ min: start, max: 65535 }).map((end) => ({ start, end }))),
                },
                { requiredKeys: [] },
              )
              .filter((n) => Object.keys(n).length > 0),
          },
          { requiredKeys: [] },
        )
        .map((f) => ({ mode: 'nat', ...f }) as Forward);
    case 'route':
      return fc.record({ interfaces: interfaces(1, 1) }, { requiredKeys: [] }).map((f) => ({ mode: 'route', ...f }) as Forward);
    case 'open':
      return fc.constant({ mode: 'open' } as Forward);
    case 'bridge':
      return fc.oneof(fc.constant({ mode: 'bridge' } as Forward), interfaces(1, 3).map((i) => ({ mode: 'bridge', interfaces: i }) as Forward));
    case 'private':
    case 'vepa':
    case 'passthrough':
      return fc.oneof(
        interfaces(1, 4).map((i) => ({ mode, interfaces: i }) as Forward),
        devName.map((dev) => ({ mode, pf: { dev } }) as Forward),
      );
    case 'hostdev':
      return fc
        .tuple(
          fc.boolean(),
          fc.option(fc.record({ name: fc.constantFrom('kvm' as const, 'vfio' as const, 'xen' as const), model: devName }, { requiredKeys: ['name'] }), { nil: undefined }),
          fc.oneof(pciAddresses().map((addresses) => ({ addresses })), devName.map((dev) => ({ pf: { dev } }))),
        )
        .map(([managed, driver, pool]) => ({ mode: 'hostdev', managed, ...(driver ? { driver } : {}), ...pool }) as Forward);
  }
}

/**
 * A valid network in canonical form. Covers every element the model knows, every forward mode
 * and the escaping of every free-text field; no `unknown` content and no live-only values
 * (`connections`).
 */
export const networkArb: fc.Arbitrary<Network> = fc
  .constantFrom<ForwardMode | 'none'>('none', 'nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev')
  .chain((mode) => {
    const routed = mode === 'none' || ROUTED.includes(mode as ForwardMode);
    const needsIp = mode === 'nat' || mode === 'route' || mode === 'open';
    return fc
      .record(
        {
          name: word([...SPICY, '\n', '.', '-', '_'], 12),
          uuid: uuidArb,
          title: spicyText,
          description: multilineText,
          metadata: metadataArb,
          ipv6: fc.constant(true),
          trustGuestRxFilters: fc.boolean(),
          forward: forwardArb(mode),
          subnets: fc.array(fc.oneof(subnet4, subnet6), { minLength: needsIp ? 1 : 0, maxLength: 3 }),
          bridgeName: devName,
          bridgeZone: word(['-', '_'], 8),
          stp: fc.boolean(),
          delay: fc.integer({ min: 0, max: 100 }),
          macTableManager: fc.constantFrom('kernel' as const, 'libvirt' as const),
          mtu: fc.integer({ min: 1, max: 65535 }),
          mac: unicastMac,
          domain: fc.record(
            { name: dnsName, localOnly: fc.boolean(), register: fc.constant(true) },
            { requiredKeys: ['name'] },
          ),
          dns: dnsArb,
          vlan: vlanArb,
          bandwidth: bandwidthArb,
          port: fc.record({ isolated: fc.boolean() }),
          virtualport: virtualPortArb(true),
          portgroups: portGroupsArb,
          dnsmasqOptions: fc.array(multilineText, { minLength: 1, maxLength: 3 }),
        },
        { requiredKeys: ['name', 'uuid', 'forward', 'subnets', 'stp', 'delay'] },
      )
      .chain((r) => {
        const subnets = r.subnets;
        const ips = subnets.length ? fc.tuple(...subnets.map(ipOf)) : fc.constant([] as Ip[]);
        const routes = subnets.length
          ? fc.array(fc.constantFrom(...subnets).chain(routeVia), { maxLength: 2 })
          : fc.constant([] as Route[]);
        return fc.tuple(fc.constant(r), ips, routes);
      })
      .map(([r, ips, routes]) => {
        const net: Record<string, unknown> = { name: r.name, uuid: r.uuid };
        for (const key of ['title', 'description', 'metadata', 'ipv6', 'trustGuestRxFilters', 'dns', 'vlan', 'bandwidth', 'port', 'portgroups', 'dnsmasqOptions'] as const) {
          const value = r[key];
          if (value !== undefined && !(Array.isArray(value) && value.length === 0)) net[key] = value;
        }
        if (r.forward) net['forward'] = r.forward;
        const usesPool = r.forward?.interfaces !== undefined || r.forward?.pf !== undefined;
        if (routed) {
          const bridge: Record<string, unknown> = { stp: r.stp, delay: r.delay };
          if (r.bridgeName !== undefined) bridge['name'] = r.bridgeName;
          if (r.bridgeZone !== undefined) bridge['zone'] = r.bridgeZone;
          if (r.macTableManager !== undefined) bridge['macTableManager'] = r.macTableManager;
          net['bridge'] = bridge;
          if (r.mtu !== undefined) net['mtu'] = r.mtu;
          if (r.mac !== undefined) net['mac'] = r.mac;
        } else if (mode === 'bridge' && !usesPool && (r.bridgeName !== undefined || r.macTableManager !== undefined)) {
          net['bridge'] = {
            ...(r.bridgeName !== undefined ? { name: r.bridgeName } : {}),
            ...(r.macTableManager !== undefined ? { macTableManager: r.macTableManager } : {}),
          };
        }
        if (r.domain) {
          // register='yes' needs localOnly='yes'.
          const { register, ...d } = r.domain;
          net['domain'] = register && d.localOnly ? { ...d, register } : d;
        }
        if (ips.length) net['ips'] = ips;
        if (routes.length) net['routes'] = routes;
        if (r.virtualport !== undefined && !routed) net['virtualport'] = r.virtualport;
        return net as unknown as Network;
      });
  });
