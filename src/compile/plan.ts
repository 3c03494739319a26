/**
 * The plan: an ordered list of typed, JSON-serialisable host operations that start one network.
 * Every operation has an inverse ({@link inverseOf}), so tearing a network down and undoing a
 * partly applied plan come from the same data.
 *
 * @module
 */
import type { FirewallRules } from './firewall/rules.js';

/** Which firewall the rules are written for. */
export type FirewallBackendName = 'iptables' | 'nftables';

/**
 * Create the bridge with its MAC, MTU, STP state and forward delay in one step, as libvirt does
 * with one netlink message (`ip link add NAME type bridge …`).
 */
export interface CreateBridgeOp {
  kind: 'link.create-bridge';
  name: string;
  /** Lowercase canonical MAC; absent lets the kernel choose. */
  mac?: string;
  /** Absent leaves the kernel default (1500). */
  mtu?: number;
  stp: boolean;
  /**
   * Forward delay in centiseconds (libvirt's `delay` seconds × 100), as iproute2 and sysfs count
   * it: what libvirt asks for. With STP on the kernel keeps the delay within 2..30 s (200..3000
   * cs): a bridge created with `stp_state 1 forward_delay 0` reads back 200, and so does one
   * libvirtd creates for `<bridge stp='on' delay='0'/>`. Backends compare against the clamped value.
   */
  forwardDelay: number;
}

/** Delete a link (the inverse of {@link CreateBridgeOp}). */
export interface DeleteLinkOp {
  kind: 'link.delete';
  name: string;
}

/** Set a bridge option after creation (`vlan_filtering` for `macTableManager='libvirt'`). */
export interface SetBridgeOptionOp {
  kind: 'link.set-bridge-option';
  dev: string;
  option: 'vlan_filtering';
  value: number;
  /** Value to restore on undo. */
  previous: number;
}

/** Bring a link up, or down (its inverse). */
export interface SetLinkStateOp {
  kind: 'link.set-state';
  dev: string;
  up: boolean;
}

/** Add an address to a link; IPv4 addresses carry the subnet's broadcast address as libvirt adds it. */
export interface AddAddressOp {
  kind: 'address.add';
  dev: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  broadcast?: string;
}

/** Remove an address (the inverse of {@link AddAddressOp}). */
export interface DeleteAddressOp {
  kind: 'address.delete';
  dev: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/**
 * Add a static route through the bridge (`<route>`). libvirt ignores a failure here (it logs and
 * goes on), and so does `ignoreErrors`.
 */
export interface AddRouteOp {
  kind: 'route.add';
  dev: string;
  family: 'ipv4' | 'ipv6';
  destination: string;
  prefix: number;
  gateway: string;
  metric?: number;
  ignoreErrors: boolean;
}

/** Remove a static route (the inverse of {@link AddRouteOp}). */
export interface DeleteRouteOp {
  kind: 'route.delete';
  dev: string;
  family: 'ipv4' | 'ipv6';
  destination: string;
  prefix: number;
  gateway: string;
  metric?: number;
}

/**
 * Write a sysctl, by its dotted key (`net.ipv4.ip_forward`, `net.ipv6.conf.virbr0.accept_ra`).
 * As with procps `sysctl`, a `.` inside an interface name is written `/` in the key
 * (`net.ipv6.conf.br/10.accept_ra` is `/proc/sys/net/ipv6/conf/br.10/accept_ra`); see
 * `interfaceSysctlKey` (compiler) and `sysctlPath` (Linux backend).
 * `keepOnTeardown` marks the host-wide switches libvirt never turns back off (IP forwarding);
 * an undo after a failed apply still restores the value that was there before.
 */
export interface SetSysctlOp {
  kind: 'sysctl.set';
  key: string;
  value: string;
  keepOnTeardown: boolean;
}

/** Install the network's firewall rules atomically (one iptables-restore / nft -f per family). */
export interface AddFirewallOp {
  kind: 'firewall.add';
  backend: FirewallBackendName;
  network: string;
  bridge: string;
  rules: FirewallRules;
}

/** Remove exactly the rules an {@link AddFirewallOp} installed. */
export interface RemoveFirewallOp {
  kind: 'firewall.remove';
  backend: FirewallBackendName;
  network: string;
  bridge: string;
  rules: FirewallRules;
  /**
   * nftables only, optional: the handle nft gave each rule when the `firewall.add` inserted it
   * (`handles[i]` for the i-th rule of `rules.rules` that nftables has, in emission order, as
   * `nftInsertedHandles` reads them and libvirt records them). A backend then deletes the rules by
   * handle without listing the ruleset first, and falls back to finding them by their text when a
   * handle is gone. Never in a compiled plan: an executor returns it as the undo of the add it
   * ran, and the engine keeps it with the network's record for the teardown.
   */
  handles?: number[];
}

/** Create a directory (and its parents) if missing. */
export interface MakeDirectoryOp {
  kind: 'dir.create';
  path: string;
  mode: number;
}

/** Remove a directory the apply created (only when empty; a missing or non-empty one is left alone). */
export interface RemoveDirectoryOp {
  kind: 'dir.remove';
  path: string;
}

/** Write a file atomically (temporary file + rename) with the given mode. */
export interface WriteFileOp {
  kind: 'file.write';
  path: string;
  content: string;
  mode: number;
}

/** Remove a file; one already gone is not an error (teardowns remove dnsmasq's pidfile too). */
export interface RemoveFileOp {
  kind: 'file.remove';
  path: string;
}

/** Start dnsmasq (it daemonises once bound) and wait for its pidfile. */
export interface StartDnsmasqOp {
  kind: 'dnsmasq.start';
  network: string;
  binary: string;
  args: string[];
  /** The whole environment of the process (libvirt passes only VIR_BRIDGE_NAME). */
  env: Record<string, string>;
  pidfile: string;
}

/** Stop the dnsmasq recorded in a pidfile (SIGTERM, then SIGKILL if it lingers). */
export interface StopDnsmasqOp {
  kind: 'dnsmasq.stop';
  network: string;
  pidfile: string;
}

/**
 * A part of the document libvirt acts on at start that the plan leaves out, with the reason, so
 * nothing is dropped silently (`<bandwidth>` tc rules, firewalld zones, systemd-resolved).
 */
export interface OmittedStep {
  /** Stable name of what is left out: `bandwidth`, `firewalld-zone`, `resolved-register`. */
  feature: string;
  /** Where it comes from in the document (`/network/bandwidth`). */
  path: string;
  /** Why the plan has no operation for it. */
  reason: string;
}

/** Every operation a plan can hold. */
export type Operation =
  | CreateBridgeOp
  | DeleteLinkOp
  | SetBridgeOptionOp
  | SetLinkStateOp
  | AddAddressOp
  | DeleteAddressOp
  | AddRouteOp
  | DeleteRouteOp
  | SetSysctlOp
  | AddFirewallOp
  | RemoveFirewallOp
  | MakeDirectoryOp
  | RemoveDirectoryOp
  | WriteFileOp
  | RemoveFileOp
  | StartDnsmasqOp
  | StopDnsmasqOp;

/** The operation kinds, for exhaustive switches. */
export type OperationKind = Operation['kind'];

/**
 * A compiled network: what to do on the host, in order. Plain data: `JSON.stringify` and
 * `JSON.parse` give back an equal plan.
 */
export interface Plan {
  /** Format version of this structure. */
  version: 1;
  network: string;
  uuid?: string;
  /** The bridge the network uses (allocated when the document named none); absent for modes without one. */
  bridge?: string;
  forwardMode: 'none' | 'nat' | 'route' | 'open' | 'bridge' | 'private' | 'vepa' | 'passthrough' | 'hostdev';
  firewallBackend: FirewallBackendName;
  operations: Operation[];
  /** What libvirt would also do at start but the plan leaves out, and why (absent when nothing). */
  omitted?: OmittedStep[];
}
