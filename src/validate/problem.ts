/**
 * The problem type every validator returns, the list of stable problem codes, and the collector
 * the per-concern validators write into.
 *
 * Paths follow one rule everywhere: an XPath-like location from `/network`, with a 1-based
 * `[n]` on every element that can repeat (`ip`, `route`, `range`, `host`, `forwarder`, `txt`,
 * `srv`, `hostname`, `portgroup`, `interface`, `address` of the forward pool, `tag`, `option`) and
 * none on singletons (`dhcp`, `bridge`, `nat`, `nat/address`, …). When one attribute is at fault
 * the path ends in `/@attribute`.
 *
 * @module
 */

/**
 * Every problem code `validateNetwork` can return. Codes are stable: tools may match on them.
 * Codes marked *runtime* come from checks libvirt makes only when it starts the network
 * (reference §4); `{ checkRuntime: false }` leaves them out.
 */
export const PROBLEM_CODES = [
  // text safety (any string that ends up in a config line or a command argument)
  'string.unsafe-char',
  // name, title, uuid
  'name.empty',
  'name.invalid-char',
  'name.reserved',
  'name.too-long',
  'title.newline',
  'uuid.invalid',
  // bridge, mac, mtu, domain
  'mac.invalid',
  'mac.multicast',
  'mac.not-allowed',
  'bridge.name.too-long', // runtime
  'bridge.name.invalid-char', // runtime
  'bridge.name.template', // runtime
  'bridge.name.not-allowed',
  'bridge.name-with-forward-dev',
  'bridge.zone.invalid-char',
  'bridge.zone.not-allowed',
  'bridge.stp-delay.not-allowed',
  'bridge.mac-table-manager.not-allowed',
  'mtu.not-allowed',
  'mtu.out-of-range', // runtime
  'domain.register-needs-local-only',
  'domain.not-allowed',
  // dns
  'dns.not-allowed',
  'dns.disabled-with-records',
  'dns.forwarder.empty',
  'dns.txt.name.empty',
  'dns.txt.name.invalid-char',
  'dns.txt.value.missing',
  'dns.srv.service.missing',
  'dns.srv.service.too-long',
  'dns.srv.service.invalid-char',
  'dns.srv.protocol.missing',
  'dns.srv.protocol.invalid-char',
  'dns.srv.without-target',
  'dns.srv.port.out-of-range',
  'dns.srv.priority.out-of-range',
  'dns.srv.weight.out-of-range',
  'dns.host.no-hostnames',
  'dns.host.hostname.empty',
  // ip
  'ip.address.invalid',
  'ip.address.multicast',
  'ip.family.mismatch',
  'ip.netmask.ipv6',
  'ip.netmask.non-contiguous', // runtime
  'ip.prefix.out-of-range',
  'ip.prefix-and-netmask',
  'ip.prefix.undetermined', // runtime
  'ip.not-allowed',
  'ip.dhcp.multiple',
  'ip.tftp.ipv6',
  'ip.tftp.root.empty',
  'ip.bootp.ipv6',
  'ip.bootp.file.empty',
  'ip.local-ptr.prefix', // runtime
  // dhcp
  'dhcp.range.family-mismatch',
  'dhcp.range.outside-network',
  'dhcp.range.network-address',
  'dhcp.range.broadcast-address',
  'dhcp.range.reversed',
  'dhcp.range.too-large',
  'dhcp.lease.too-short',
  'dhcp.host.ipv4-needs-mac-or-name',
  'dhcp.host.ipv6-needs-id-or-name',
  'dhcp.host.mac-on-ipv6',
  'dhcp.host.mac.multicast',
  'dhcp.host.id.invalid-char',
  'dhcp.host.name.invalid',
  'dhcp.host.ip.family-mismatch',
  'dhcp.host.ip.outside-network',
  'dhcp.host.duplicate-mac',
  'dhcp.host.duplicate-ip',
  'dhcp.host.duplicate-name',
  // routes
  'route.family.mismatch',
  'route.netmask.ipv6',
  'route.netmask.non-contiguous',
  'route.prefix.out-of-range',
  'route.prefix-and-netmask',
  'route.address.not-network',
  'route.gateway.unreachable',
  'route.metric.out-of-range',
  // forward
  'forward.mode.invalid',
  'forward.ip.missing',
  'forward.nat.not-nat-mode',
  'forward.nat.address.reversed',
  'forward.nat.address.too-large',
  'forward.nat.port.reversed',
  'forward.nat.port.empty-range', // runtime
  'forward.interface.too-many',
  'forward.interface.not-allowed',
  'forward.interface.dev.empty',
  'forward.interface.dev.invalid', // runtime
  'forward.interface.duplicate',
  'forward.pf.dev.empty',
  'forward.hostdev.netdev',
  'forward.address.not-hostdev',
  'forward.address.out-of-range',
  'forward.address.duplicate',
  'forward.pool.mixed',
  'forward.pool.empty', // runtime, warning: libvirt starts the network but guests cannot connect
  // vlan, virtualport, bandwidth, portgroups
  'vlan.no-tags',
  'vlan.tag.id.out-of-range',
  'vlan.native.duplicate',
  'vlan.trunk.required',
  'vlan.trunk.no-with-native',
  'vlan.not-allowed',
  'virtualport.type.missing',
  'virtualport.parameter.not-allowed',
  'virtualport.parameter.out-of-range',
  'bandwidth.rate.missing-average',
  'bandwidth.rate.peak-burst-need-average',
  'bandwidth.rate.floor.not-allowed',
  'bandwidth.rate.too-big',
  'bandwidth.not-allowed',
  'portgroup.name.empty',
  'portgroup.name.duplicate',
  'portgroup.default.multiple',
  'portgroup.bandwidth.not-allowed',
] as const;

/** One of {@link PROBLEM_CODES}. */
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** How bad a problem is: libvirt (or the host) refuses an `error`; a `warning` is suspicious only. */
export type Severity = 'error' | 'warning';

/**
 * One thing wrong with a network.
 *
 * @example
 * ```ts
 * const p: Problem = {
 *   code: 'dhcp.range.outside-network',
 *   path: '/network/ip[1]/dhcp/range[2]',
 *   message: "range 10.0.0.2 - 10.0.0.9 is not entirely within 192.168.122.1/24 in network 'default'",
 *   severity: 'error',
 * };
 * ```
 */
export interface Problem {
  /** Stable dotted code, one of {@link PROBLEM_CODES}. */
  code: ProblemCode;
  /** Where: `/network/ip[1]/dhcp/host[3]/@mac` style (see the module comment for the rule). */
  path: string;
  /** A sentence naming the values at fault and the network. */
  message: string;
  severity: Severity;
}

/**
 * Render problems one per line as `FILE: PATH: message` (or `PATH: message` without a file), with
 * `warning: ` before the message of a warning. The CLI prints this.
 *
 * @example
 * ```ts
 * process.stderr.write(formatProblems(validateNetwork(net), 'default.xml'));
 * ```
 */
export function formatProblems(problems: readonly Problem[], file?: string): string {
  let out = '';
  const prefix = file === undefined ? '' : `${file}: `;
  for (const p of problems) {
    out += `${prefix}${p.path}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}\n`;
  }
  return out;
}

/** Quote a value for a message: JSON string syntax, so newlines and NULs show as `\n`, `\u0000`. */
export function q(value: unknown): string {
  return typeof value === 'string' ? `'${JSON.stringify(value).slice(1, -1)}'` : String(value);
}

/**
 * Where the per-concern validators put what they find. `net` is the quoted network name every
 * message ends with; `runtime` says whether §4 checks run.
 */
export class Problems {
  readonly list: Problem[] = [];
  readonly net: string;
  constructor(
    networkName: string,
    readonly runtime: boolean,
  ) {
    this.net = `network ${q(networkName)}`;
  }

  error(code: ProblemCode, path: string, message: string): void {
    this.list.push({ code, path, message, severity: 'error' });
  }

  warning(code: ProblemCode, path: string, message: string): void {
    this.list.push({ code, path, message, severity: 'warning' });
  }

  /**
   * Refuse newline, carriage return and NUL in a string that reaches a dnsmasq config line, a
   * command argument or a file name: one of them would start a new config line or cut the value.
   */
  text(value: string | undefined, path: string, what: string): void {
    if (value !== undefined && UNSAFE.test(value)) {
      this.error(
        'string.unsafe-char',
        path,
        `${what} ${q(value)} in ${this.net} contains a newline, carriage return or NUL character`,
      );
    }
  }
}

const UNSAFE = /[\n\r\0]/;
