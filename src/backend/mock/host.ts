/**
 * An in-memory Linux host (a "fake kernel"): links, addresses, routes, sysctls, firewall rules,
 * files, directories and dnsmasq processes, changed only through plan operations that obey the
 * kernel's and the tools' rules. Tests read it back with {@link MockHost.snapshot} (deep-comparable)
 * or {@link MockHost.inspect} (a {@link HostState}).
 *
 * @module
 */
import type { Operation, Plan } from '../../compile/plan.js';
import type { HostState } from '../types.js';
import { startDnsmasq, stopDnsmasq } from './dnsmasq.js';
import { makeDirectory, removeDirectory, removeFile, writeFile } from './files.js';
import { addFirewall, removeFirewall } from './firewall.js';
import { addAddress, addLink, addRoute, createBridge, deleteAddress, deleteLink, deleteRoute, setBridgeOption, setForwardDelay, setLinkState } from './netlink.js';
import { setSysctl } from './sysctl.js';
import { byText, DEFAULT_DIRS, DEFAULT_SYSCTLS, linkSysctlKey, PER_LINK_IPV6, type HostSnapshot, type MockHostData, type MockLink } from './state.js';

/** What a fresh {@link MockHost} holds besides the defaults. */
export interface MockHostOptions {
  /** Extra directories (parents are added too). Default: `/`, `/etc`, `/run`, `/tmp`, `/var`, `/var/lib`, `/var/run`. */
  dirs?: string[];
  /** Sysctl values overriding the kernel defaults (`{ 'net.ipv4.ip_forward': '1' }`). */
  sysctls?: Record<string, string>;
  /** Devices already on the host besides `lo` (an uplink `eth0`, a bridge for forward mode bridge). */
  links?: Array<{ name: string; kind?: string; up?: boolean; mac?: string; mtu?: number }>;
}

/**
 * The in-memory host.
 *
 * @example
 * ```ts
 * const host = new MockHost({ links: [{ name: 'eth0', kind: 'ether', up: true }] });
 * host.apply({ kind: 'link.create-bridge', name: 'virbr0', stp: true, forwardDelay: 0 });
 * host.snapshot().links.map((l) => l.name); // ['eth0', 'lo', 'virbr0']
 * ```
 */
export class MockHost {
  /** The raw state; change it only through {@link MockHost.apply} to keep the kernel's rules. */
  readonly data: MockHostData;

  constructor(options: MockHostOptions = {}) {
    this.data = {
      links: new Map(),
      addresses: [],
      routes: [],
      sysctls: new Map(Object.entries(DEFAULT_SYSCTLS)),
      firewall: { iptables: new Map(), nftables: new Map() },
      tcFilters: [],
      files: new Map(),
      dirs: new Set(DEFAULT_DIRS),
      processes: new Map(),
      nextIfindex: 1,
      nextPid: 1000,
      nextNftHandle: 1,
    };
    for (const [key, value] of Object.entries(options.sysctls ?? {})) this.data.sysctls.set(key, value);
    addLink(this.data, { name: 'lo', kind: 'loopback', mac: '00:00:00:00:00:00', mtu: 65536, up: true });
    for (const link of options.links ?? []) addLink(this.data, { kind: 'ether', ...link });
    for (const dir of options.dirs ?? []) this.apply({ kind: 'dir.create', path: dir, mode: 0o755 });
  }

  /**
   * Perform one operation; returns the operations that undo exactly what it changed.
   * Throws a {@link HostError} (errno-style code) when the kernel or tool would refuse it.
   */
  apply(op: Operation): Operation[] {
    const d = this.data;
    switch (op.kind) {
      case 'link.create-bridge':
        return createBridge(d, op);
      case 'link.delete':
        return deleteLink(d, op);
      case 'link.set-bridge-option':
        return setBridgeOption(d, op);
      case 'link.set-state':
        return setLinkState(d, op);
      case 'address.add':
        return addAddress(d, op);
      case 'address.delete':
        return deleteAddress(d, op);
      case 'route.add':
        return addRoute(d, op);
      case 'route.delete':
        return deleteRoute(d, op);
      case 'sysctl.set':
        return setSysctl(d, op);
      case 'firewall.add':
        return addFirewall(d, op);
      case 'firewall.remove':
        return removeFirewall(d, op);
      case 'dir.create':
        return makeDirectory(d, op);
      case 'dir.remove':
        return removeDirectory(d, op);
      case 'file.write':
        return writeFile(d, op);
      case 'file.remove':
        return removeFile(d, op);
      case 'dnsmasq.start':
        return startDnsmasq(d, op);
      case 'dnsmasq.stop':
        return stopDnsmasq(d, op);
    }
  }

  /** Add a device outside any plan (as a test's setup would with `ip link add`). */
  addLink(link: { name: string; kind?: string; up?: boolean; mac?: string; mtu?: number }): MockLink {
    return addLink(this.data, { kind: 'ether', ...link });
  }

  /** Change a bridge's forward delay as sysfs does (ERANGE outside 200..3000 cs with STP on). */
  setForwardDelay(dev: string, centiseconds: number): void {
    setForwardDelay(this.data, dev, centiseconds);
  }

  /** A deep-comparable copy of the whole host (no interface indexes or pids). */
  snapshot(): HostSnapshot {
    const d = this.data;
    const sortBy = <T>(items: T[], key: (t: T) => string) => [...items].sort((a, b) => byText(key(a), key(b)));
    const firewall = (backend: 'iptables' | 'nftables') => {
      const out: Record<string, string[]> = {};
      for (const chain of [...d.firewall[backend].keys()].sort(byText)) out[chain] = d.firewall[backend].get(chain)!.map((r) => r.text);
      return out;
    };
    return {
      links: sortBy([...d.links.values()], (l) => l.name).map(({ ifindex: _ifindex, ...rest }) => ({ ...rest })),
      addresses: sortBy(d.addresses, (a) => `${a.dev} ${a.family} ${a.address}/${a.prefix}`).map((a) => ({ ...a })),
      routes: sortBy(d.routes, (r) => `${r.dev} ${r.family} ${r.destination}/${r.prefix} ${r.metric}`).map((r) => ({ ...r })),
      sysctls: Object.fromEntries([...d.sysctls.entries()].sort((a, b) => byText(a[0], b[0]))),
      firewall: { iptables: firewall('iptables'), nftables: firewall('nftables') },
      tcFilters: sortBy(d.tcFilters, (f) => `${f.dev} ${f.port}`).map((f) => ({ ...f })),
      files: Object.fromEntries([...d.files.entries()].sort((a, b) => byText(a[0], b[0])).map(([p, f]) => [p, { ...f }])),
      dirs: [...d.dirs].sort(byText),
      processes: sortBy([...d.processes.values()], (p) => p.pidfile).map(({ pid: _pid, ...rest }) => ({ ...rest, args: [...rest.args], env: { ...rest.env }, interfaces: [...rest.interfaces] })),
    };
  }

  /**
   * What the host holds of one network: the plan's bridge with its addresses, routes and IPv6
   * sysctls, the forwarding switches, the sysctls and files the plan writes, and (with or without
   * a plan) the firewall rules installed for the network and its dnsmasq.
   */
  inspect(network: string, plan?: Plan): HostState {
    const d = this.data;
    const bridge = plan?.bridge;
    const link = bridge === undefined ? undefined : d.links.get(bridge);
    const sysctls: Record<string, string> = {};
    // The host-wide forwarding switches always: whether the network can forward depends on them.
    const sysctlKeys = new Set<string>(['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']);
    const filePaths = new Set<string>();
    // Without a plan, the backend that holds rules of the network (nftables when neither does).
    const holdsRules = (b: 'iptables' | 'nftables') => [...d.firewall[b].values()].some((list) => list.some((r) => r.network === network));
    let backend: 'iptables' | 'nftables' = plan?.firewallBackend ?? (holdsRules('iptables') && !holdsRules('nftables') ? 'iptables' : 'nftables');
    for (const op of plan?.operations ?? []) {
      if (op.kind === 'sysctl.set') sysctlKeys.add(op.key);
      if (op.kind === 'file.write') filePaths.add(op.path);
      if (op.kind === 'dnsmasq.start') filePaths.add(op.pidfile);
      if (op.kind === 'firewall.add') backend = op.backend;
    }
    if (link) for (const setting of PER_LINK_IPV6) sysctlKeys.add(linkSysctlKey(link.name, setting));
    for (const key of [...sysctlKeys].sort(byText)) {
      const value = d.sysctls.get(key);
      if (value !== undefined) sysctls[key] = value;
    }
    const rules: string[] = [];
    for (const [chain, list] of [...d.firewall[backend].entries()].sort((a, b) => byText(a[0], b[0]))) {
      for (const r of list) if (r.network === network) rules.push(backend === 'iptables' ? `${chain.split(' ').slice(0, 2).join(' ')} ${r.text}` : `${chain} ${r.text}`);
    }
    const process = [...d.processes.values()].find((p) => p.network === network);
    const state: HostState = {
      network,
      active: plan !== undefined,
      links: link
        ? [{ name: link.name, kind: link.kind, mac: link.mac, mtu: link.mtu, up: link.up, ...(link.kind === 'bridge' ? { stp: link.stp ?? false, forwardDelay: link.forwardDelay ?? 0, vlanFiltering: link.vlanFiltering ?? false } : {}) }]
        : [],
      addresses: d.addresses.filter((a) => a.dev === bridge).map((a) => ({ ...a })),
      routes: d.routes.filter((r) => r.dev === bridge).map((r) => ({ ...r })),
      sysctls,
      firewall: { backend, rules },
      files: [...filePaths]
        .sort(byText)
        .flatMap((path) => {
          const f = d.files.get(path);
          return f ? [{ path, mode: f.mode, content: f.content }] : [];
        }),
    };
    if (plan) state.plan = plan;
    if (process) state.dnsmasq = { pid: process.pid, running: true, args: [...process.args] };
    return state;
  }
}
