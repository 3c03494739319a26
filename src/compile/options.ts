/**
 * What a caller can choose when compiling a network, and the defaults libvirt uses on a
 * privileged (system) daemon.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_PID_DIR, DEFAULT_STATE_DIR } from './dnsmasq/options.js';
import type { FirewallBackendName, Plan } from './plan.js';
/** Found on `$PATH` by the backend, as libvirt's `dnsmasqCapsNewFromBinary` does. */
export const DEFAULT_DNSMASQ_BINARY = 'dnsmasq';
/**
 * libvirt 11.3 on Linux tries nftables first, then iptables (`virNetworkLoadDriverConfig`'s
 * build-time priority list), so a host with `nft` gets nftables rules. virtnet picks the same.
 */
export const DEFAULT_FIREWALL_BACKEND: FirewallBackendName = 'nftables';

/**
 * Options of {@link compileNetwork}. Every field is optional; the defaults are libvirt's.
 *
 * @example
 * ```ts
 * const plan = compileNetwork(network, {
 *   firewallBackend: 'iptables',
 *   usedBridgeNames: ['virbr0', 'eth0'],
 *   stateDir: '/tmp/vn/lib', pidDir: '/tmp/vn/run',
 * });
 * ```
 */
export interface CompileOptions {
  /** Where dnsmasq's conf, hostsfile and addnhosts go. Default `/var/lib/libvirt/dnsmasq`. */
  stateDir?: string;
  /** Where dnsmasq writes its pidfile `<name>.pid`. Default `/run/libvirt/network`. */
  pidDir?: string;
  /** dnsmasq to run: a bare name is looked up on `$PATH` by the backend. Default `dnsmasq`. */
  dnsmasqBinary?: string;
  /** dnsmasq's version (`2.90`), for the few conf lines that depend on it. */
  dnsmasqVersion?: string;
  /**
   * `--dhcp-script` program (libvirt's `libvirt_leaseshelper`). `null` runs dnsmasq without one;
   * absent leaves the dnsmasq module's default.
   */
  leaseHelper?: string | null;
  /** Which firewall the rules are installed with. Default `nftables`, like libvirt 11.3. */
  firewallBackend?: FirewallBackendName;
  /**
   * Names already taken: bridges of other networks and existing host interfaces. Only used to
   * pick a free `virbrN` when the document names no bridge (or gives a `%d` template), as
   * libvirt's `networkFindUnusedBridgeName` checks both.
   */
  usedBridgeNames?: Iterable<string>;
  /**
   * Give the bridge a random `52:54:00:xx:xx:xx` MAC when the document has no `<mac>`, as libvirt
   * does at define time. Default true; false lets the kernel choose.
   */
  generateMac?: boolean;
  /** Random bytes for the generated MAC (tests inject a fixed source). Default `crypto.randomBytes`. */
  random?: (n: number) => Uint8Array;
  /**
   * The plan this network was last applied with. What the document leaves open and the compiler
   * would otherwise choose afresh (the `virbrN` name, the random MAC, the UUID) is taken from it,
   * so compiling an unchanged document again gives an equal plan: re-applying it is a no-op, as
   * libvirt keeps the name and MAC it chose at define time.
   */
  previous?: Plan;
}

/** {@link CompileOptions} with every default filled in. */
export interface ResolvedCompileOptions {
  stateDir: string;
  pidDir: string;
  dnsmasqBinary: string;
  dnsmasqVersion: string | undefined;
  leaseHelper: string | null | undefined;
  firewallBackend: FirewallBackendName;
  usedBridgeNames: ReadonlySet<string>;
  generateMac: boolean;
  random: (n: number) => Uint8Array;
  previous: Plan | undefined;
}

/**
 * Fill in the defaults of {@link CompileOptions}.
 *
 * @example
 * ```ts
 * resolveCompileOptions({ pidDir: '/tmp/run' }).stateDir; // '/var/lib/libvirt/dnsmasq'
 * ```
 */
export function resolveCompileOptions(options: CompileOptions = {}): ResolvedCompileOptions {
  return {
    stateDir: options.stateDir ?? DEFAULT_STATE_DIR,
    pidDir: options.pidDir ?? DEFAULT_PID_DIR,
    dnsmasqBinary: options.dnsmasqBinary ?? DEFAULT_DNSMASQ_BINARY,
    dnsmasqVersion: options.dnsmasqVersion,
    leaseHelper: options.leaseHelper,
    firewallBackend: options.firewallBackend ?? DEFAULT_FIREWALL_BACKEND,
    usedBridgeNames: new Set(options.usedBridgeNames ?? []),
    generateMac: options.generateMac ?? true,
    random: options.random ?? randomBytes,
    previous: options.previous,
  };
}
