/**
 * `compileNetwork`: the host operations that start a network, as libvirt 11.3's
 * `networkStartNetwork` performs them, in an order that lets a backend run every link, address
 * and route change in one `ip -batch` process.
 *
 * ## Order, and why it ends in the same host state as libvirt's
 *
 * libvirt (`networkStartNetworkVirtual`): create bridge (with MAC) → MTU → forward delay → STP →
 * bridge IPv6 sysctls → firewall → addresses → vlan_filtering → link up → routes → IP forwarding
 * → dnsmasq.
 *
 * virtnet: create bridge (MAC, MTU, STP and delay in the same `ip link add`) → vlan_filtering →
 * addresses → link up → routes → bridge IPv6 sysctls → firewall → IP forwarding → dnsmasq
 * directories and files → dnsmasq.
 *
 * - The bridge is new and has no ports until the network is up (guests plug in later), so it has
 *   no carrier: nothing can be received or forwarded through it while the plan runs. Moving the
 *   addresses, vlan_filtering and link-up before the firewall therefore opens no window.
 * - `accept_ra=0`/`autoconf=0` written after link-up: with no carrier no router advertisement can
 *   arrive and the kernel starts IPv6 autoconfiguration (link-local address included) only once
 *   carrier appears, which is after the plan. `disable_ipv6=1` (no IPv6 `<ip>`) would in any case
 *   remove every IPv6 address from the bridge, so the end state has none, as with libvirt.
 * - The firewall only names the bridge (nftables by ifindex, which exists from the first
 *   operation on); addresses do not change the rules.
 * - IP forwarding stays after the firewall, as in libvirt, so a firewall failure never leaves
 *   forwarding switched on.
 * - One difference remains: on a host whose `net.ipv6.conf.default.disable_ipv6` is 1, a new
 *   bridge starts with IPv6 disabled, and adding its IPv6 address fails (EACCES) because
 *   `disable_ipv6=0` comes after the batch; libvirt writes it first. The plan then rolls back
 *   cleanly; hosts with IPv6 enabled by default (the usual case, and this test bed) are unaffected.
 *
 * Left out of plans (listed in `plan.omitted` when the document asks for them): `<bandwidth>`
 * (libvirt's tc commands need `sfq`, `fw` and `police`, which this kernel lacks, and the plan
 * has no tc operation), `<bridge zone>` (firewalld, needs D-Bus) and `<domain register='yes'>`
 * (systemd-resolved, needs D-Bus). Runtime checks libvirt makes against the live host — route
 * collisions with `/proc/net/route`, kernel-autoconfigured IPv6 routes before enabling IPv6
 * forwarding, the dnsmasq version — belong to the backend.
 *
 * @module
 */
import { generateMac, type Network } from '../model/index.js';
import { resolveBridgeName, checkBridgeName } from './bridge-name.js';
import { dnsmasqCommand, dnsmasqConfig, dnsmasqPaths, needsDnsmasq } from './dnsmasq/index.js';
import { escapeName, checkNetworkName } from './dnsmasq/paths.js';
import { CompileError } from './errors.js';
import { firewallRules } from './firewall/index.js';
import {
  addressOperations,
  createBridgeOperation,
  forwardingSysctlOperations,
  ipv6SysctlOperations,
  linkUpOperation,
  routeOperations,
  vlanFilteringOperation,
} from './netlink.js';
import { resolveCompileOptions, type CompileOptions, type ResolvedCompileOptions } from './options.js';
import type { OmittedStep, Operation, Plan } from './plan.js';

/** Mode of files only root reads: libvirt writes the dnsmasq conf 0600. */
export const CONF_FILE_MODE = 0o600;
/**
 * dnsmasq reads `dhcp-hostsfile` and `addn-hosts` after dropping privileges (to `nobody` on
 * Debian), so they, and the folders on their way, must be world-readable: 0644 and 0755. The conf
 * is read as root before the drop, so it keeps libvirt's 0600.
 */
export const SHARED_FILE_MODE = 0o644;
export const DIRECTORY_MODE = 0o755;

type ForwardMode = Plan['forwardMode'];

/** Refuse option values that would reach a path or the plan unchecked. */
function checkOptions(o: ResolvedCompileOptions): void {
  for (const [name, value] of [
    ['stateDir', o.stateDir],
    ['pidDir', o.pidDir],
  ] as const) {
    if (typeof value !== 'string' || !value.startsWith('/') || /[\0-\x1f\x7f]/.test(value)) {
      throw new CompileError('options.invalid', `options.${name}`, `${name} must be an absolute path without control characters, not ${JSON.stringify(value)}`);
    }
  }
  if (o.firewallBackend !== 'iptables' && o.firewallBackend !== 'nftables') {
    throw new CompileError('options.invalid', 'options.firewallBackend', `firewallBackend must be 'iptables' or 'nftables', not ${JSON.stringify(o.firewallBackend)}`);
  }
  if (typeof o.dnsmasqBinary !== 'string' || o.dnsmasqBinary === '' || /[\0-\x1f\x7f]/.test(o.dnsmasqBinary)) {
    throw new CompileError('options.invalid', 'options.dnsmasqBinary', `dnsmasqBinary must be a program name or path, not ${JSON.stringify(o.dnsmasqBinary)}`);
  }
}

/** Join a folder and a file name with exactly one `/`. */
function join(dir: string, file: string): string {
  return dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
}

/** What libvirt would do at start that the plan has no operation for. */
function omittedSteps(network: Network, virtual: boolean, shapesBridge: boolean): OmittedStep[] {
  const omitted: OmittedStep[] = [];
  const bw = network.bandwidth;
  if (shapesBridge && bw !== undefined && (bw.inbound !== undefined || bw.outbound !== undefined)) {
    omitted.push({
      feature: 'bandwidth',
      path: '/network/bandwidth',
      reason:
        "libvirt shapes the bridge with tc (htb, sfq, fw filter, ingress police); virtnet plans have no tc operation and this kernel has no sfq, fw or police",
    });
  }
  if (virtual && network.bridge?.zone !== undefined) {
    omitted.push({
      feature: 'firewalld-zone',
      path: '/network/bridge/@zone',
      reason: 'firewalld zones are set over D-Bus; virtnet installs its rules with iptables or nft directly',
    });
  }
  if (virtual && network.domain?.register === true) {
    omitted.push({
      feature: 'resolved-register',
      path: '/network/domain/@register',
      reason: 'registering the domain with systemd-resolved needs D-Bus, which virtnet does not use',
    });
  }
  return omitted;
}

/** The dnsmasq part: folders, files, then the daemon (`networkStartDhcpDaemon`). */
function dnsmasqOperations(network: Network, bridge: string, o: ResolvedCompileOptions): Operation[] {
  const name = checkNetworkName(network.name);
  const pidfile = join(o.pidDir, `${escapeName(name)}.pid`);
  const common = {
    bridge,
    stateDir: o.stateDir,
    pidfile,
    ...(o.dnsmasqVersion !== undefined ? { version: o.dnsmasqVersion } : {}),
  };
  const paths = dnsmasqPaths(network, common);
  const config = dnsmasqConfig(network, common);
  const command = dnsmasqCommand(network, {
    ...common,
    binary: o.dnsmasqBinary,
    ...(o.leaseHelper !== undefined ? { leaseHelper: o.leaseHelper } : {}),
  });
  // libvirt creates the pid folder, then the state folder (once when they are the same).
  const dirs: Operation[] = [{ kind: 'dir.create', path: o.pidDir, mode: DIRECTORY_MODE }];
  if (o.stateDir !== o.pidDir) dirs.push({ kind: 'dir.create', path: o.stateDir, mode: DIRECTORY_MODE });
  return [
    ...dirs,
    { kind: 'file.write', path: paths.conf, content: config.conf, mode: CONF_FILE_MODE },
    // libvirt's dnsmasqSave always writes both files, empty when there is nothing to list.
    { kind: 'file.write', path: paths.hostsfile, content: config.hostsfile ?? '', mode: SHARED_FILE_MODE },
    { kind: 'file.write', path: paths.addnhosts, content: config.addnhosts ?? '', mode: SHARED_FILE_MODE },
    {
      kind: 'dnsmasq.start',
      network: network.name,
      binary: command.binary,
      args: [...command.args],
      env: { ...command.env },
      pidfile: paths.pidfile,
    },
  ];
}

/** The MAC a previous plan gave the same bridge, if any. */
function previousMac(previous: Plan | undefined, network: string, bridge: string): string | undefined {
  if (previous?.network !== network) return undefined;
  const create = previous.operations.find((op) => op.kind === 'link.create-bridge');
  return create?.kind === 'link.create-bridge' && create.name === bridge ? create.mac : undefined;
}

/** Operations of a network libvirt gives its own bridge: modes none (isolated), nat, route, open. */
function virtualOperations(network: Network, mode: ForwardMode, bridge: string, o: ResolvedCompileOptions, omitted: OmittedStep[]): Operation[] {
  const mac = network.mac ?? previousMac(o.previous, network.name, bridge) ?? (o.generateMac ? generateMac(o.random) : undefined);
  const ops: Operation[] = [createBridgeOperation(network, bridge, mac)];
  if (network.bridge?.macTableManager === 'libvirt') ops.push(vlanFilteringOperation(bridge));
  ops.push(...addressOperations(network, bridge));
  ops.push(linkUpOperation(bridge));
  ops.push(...routeOperations(network, bridge, omitted));
  ops.push(...ipv6SysctlOperations(network, bridge));
  // Mode open gets no rules at all (`networkAddFirewallRules`).
  if (mode !== 'open') {
    ops.push({
      kind: 'firewall.add',
      backend: o.firewallBackend,
      network: network.name,
      bridge,
      rules: firewallRules(network, { bridge }),
    });
  }
  ops.push(...forwardingSysctlOperations(network));
  if (needsDnsmasq(network)) ops.push(...dnsmasqOperations(network, bridge, o));
  return ops;
}

/**
 * Compile a network into the {@link Plan} that starts it: what libvirt 11.3's
 * `networkStartNetwork` does on the host, as plain data.
 *
 * - none (no `<forward>`), nat, route, open: bridge, addresses, link up, routes, sysctls,
 *   firewall (not for open), IP forwarding (not for none), dnsmasq when the network needs it.
 * - bridge with `<bridge name>`: the bridge must already exist; only `vlan_filtering` when
 *   `macTableManager='libvirt'`.
 * - bridge without a name, private, vepa, passthrough, hostdev: libvirt creates nothing on the
 *   host when the network starts (the device pool is used when guests plug in): an empty plan.
 *
 * A name is allocated (`virbrN`) and a MAC generated when the document has none, as libvirt does
 * at define time. The compiler does not validate the document (see `validateNetwork`); it throws
 * {@link CompileError} only for what it cannot turn into safe operations.
 *
 * @example
 * ```ts
 * const net = defineNetwork({
 *   name: 'default',
 *   forward: { mode: 'nat' },
 *   ips: [{ address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] } }],
 * });
 * const plan = compileNetwork(net, { usedBridgeNames: ['virbr0'] });
 * plan.bridge; // 'virbr1'
 * console.log(describePlan(plan));
 * ```
 */
export function compileNetwork(network: Network, options?: CompileOptions): Plan {
  const o = resolveCompileOptions(options);
  checkOptions(o);
  // The name reaches file paths (dnsmasq files, the backend's state) in every mode.
  checkNetworkName(network.name);
  const mode: ForwardMode = network.forward?.mode ?? 'none';
  const virtual = mode === 'none' || mode === 'nat' || mode === 'route' || mode === 'open';
  const hostBridge = mode === 'bridge' && Boolean(network.bridge?.name);
  // libvirt shapes the bridge (tc) of virtual networks and of bridge networks naming a bridge.
  const omitted = omittedSteps(network, virtual, virtual || hostBridge);
  let bridge: string | undefined;
  let operations: Operation[] = [];
  if (virtual) {
    // A name the document leaves open (absent or a `%d` template) keeps what a previous plan chose.
    const requested = network.bridge?.name;
    const open = requested === undefined || requested.includes('%d');
    bridge = open && o.previous?.network === network.name && o.previous.bridge !== undefined
      ? o.previous.bridge
      : resolveBridgeName(requested, o.usedBridgeNames);
    operations = virtualOperations(network, mode, bridge, o, omitted);
  } else if (hostBridge && network.bridge?.name) {
    // `networkStartNetworkBridge`: the bridge is the host's own; libvirt only shapes it
    // (bandwidth, omitted above) and turns on vlan filtering for macTableManager='libvirt'.
    bridge = network.bridge.name;
    checkBridgeName(bridge);
    if (network.bridge.macTableManager === 'libvirt') operations = [vlanFilteringOperation(bridge)];
  }
  return {
    version: 1,
    network: network.name,
    ...(network.uuid !== undefined ? { uuid: network.uuid } : o.previous?.network === network.name && o.previous.uuid !== undefined ? { uuid: o.previous.uuid } : {}),
    ...(bridge !== undefined ? { bridge } : {}),
    forwardMode: mode,
    firewallBackend: o.firewallBackend,
    operations,
    ...(omitted.length > 0 ? { omitted } : {}),
  };
}
