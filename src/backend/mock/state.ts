/**
 * The data of the in-memory host: what a Linux network namespace holds that virtnet touches.
 * Plain data only; the rules that change it live in the sibling modules (netlink, sysctl,
 * firewall, files, dnsmasq).
 *
 * @module
 */
import { HostError } from '../types.js';
import type { FirewallBackendName, Operation } from '../../compile/plan.js';

/** A network device. */
export interface MockLink {
  name: string;
  /** `bridge` for the ones virtnet creates; anything else for devices a test puts there (`ether`, `veth`, `loopback`). */
  kind: string;
  ifindex: number;
  mac: string;
  mtu: number;
  up: boolean;
  /** Bridges only. */
  stp?: boolean;
  /** Bridges only, centiseconds. */
  forwardDelay?: number;
  /** Bridges only. */
  vlanFiltering?: boolean;
}

/** An address on a link. */
export interface MockAddress {
  dev: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  broadcast?: string;
}

/** A static route (connected routes follow from addresses and are not stored). */
export interface MockRoute {
  dev: string;
  family: 'ipv4' | 'ipv6';
  destination: string;
  prefix: number;
  gateway: string;
  /** The kernel's default when none was given: 0 for IPv4, 1024 for IPv6. */
  metric: number;
}

/** One installed firewall rule: where it is, its text, and which network's `firewall.add` put it there. */
export interface MockFirewallRule {
  /** `ipv4 nat LIBVIRT_PRT` (iptables) or `ip libvirt_network guest_nat` (nftables). */
  chain: string;
  text: string;
  network: string;
  /** nftables only: the handle the fake kernel gave the rule (unique on the host, never reused). */
  handle?: number;
}

/** The tc checksum filter the nftables backend puts on a bridge. */
export interface MockTcFilter {
  dev: string;
  port: number;
  network: string;
}

/** A file. */
export interface MockFile {
  content: string;
  mode: number;
}

/** A process the host runs (dnsmasq). */
export interface MockProcess {
  pid: number;
  binary: string;
  args: string[];
  env: Record<string, string>;
  network: string;
  pidfile: string;
  confFile: string;
  /** `interface=` lines of its config: a second dnsmasq on the same interface cannot bind. */
  interfaces: string[];
}

/** Everything the mock host holds. */
export interface MockHostData {
  links: Map<string, MockLink>;
  addresses: MockAddress[];
  routes: MockRoute[];
  sysctls: Map<string, string>;
  /** Per backend: chain (`ipv4 nat LIBVIRT_PRT`, `ip libvirt_network guest_nat`) → rules, top first. */
  firewall: Record<FirewallBackendName, Map<string, MockFirewallRule[]>>;
  tcFilters: MockTcFilter[];
  files: Map<string, MockFile>;
  dirs: Set<string>;
  processes: Map<number, MockProcess>;
  nextIfindex: number;
  nextPid: number;
  /** The next nft rule handle (nft counts per table and never reuses one while the table lives). */
  nextNftHandle: number;
}

/**
 * A deep-comparable picture of the host (`expect(after).toEqual(before)`): plain objects, arrays
 * sorted, no counters (interface indexes and pids are not part of it).
 */
export interface HostSnapshot {
  links: Array<Omit<MockLink, 'ifindex'>>;
  addresses: MockAddress[];
  routes: MockRoute[];
  sysctls: Record<string, string>;
  firewall: Record<FirewallBackendName, Record<string, string[]>>;
  tcFilters: MockTcFilter[];
  files: Record<string, MockFile>;
  dirs: string[];
  processes: Array<Omit<MockProcess, 'pid'>>;
}

/** Directories a fresh host has. */
export const DEFAULT_DIRS = ['/', '/etc', '/run', '/tmp', '/var', '/var/lib', '/var/run'];

/** The `/proc/sys` switches a fresh host has (kernel defaults), besides the per-link ones. */
export const DEFAULT_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv6.conf.all.forwarding': '0',
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.all.accept_ra': '1',
  'net.ipv6.conf.all.autoconf': '1',
  'net.ipv6.conf.all.keep_addr_on_down': '0',
  'net.ipv6.conf.default.forwarding': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
  'net.ipv6.conf.default.accept_ra': '1',
  'net.ipv6.conf.default.autoconf': '1',
  'net.ipv6.conf.default.keep_addr_on_down': '0',
};

/** The per-link IPv6 settings a link gets (copied from `net.ipv6.conf.default.*`) and loses with it. */
export const PER_LINK_IPV6 = ['forwarding', 'disable_ipv6', 'accept_ra', 'autoconf', 'keep_addr_on_down'];

/** The sysctl key of a per-link IPv6 setting (a `.` in the name is written `/`, as procps does). */
export function linkSysctlKey(dev: string, setting: string): string {
  return `net.ipv6.conf.${dev.replaceAll('.', '/')}.${setting}`;
}

/** A failure the way the kernel or a tool reports it. */
export function fail(code: string, message: string, operation?: Operation): never {
  throw new HostError(code, message, operation);
}

/** Compare two strings for sorting. */
export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
