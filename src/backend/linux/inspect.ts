/**
 * Reading a network's state back from the host: its bridge, addresses and routes (one
 * `ip -json -details -batch -`), its sysctls, the firewall rules that mention its bridge or
 * subnets, its files and its dnsmasq process.
 *
 * @module
 */
import { parseIptablesSave, parseNftJson } from '../../compile/firewall/index.js';
import type { FirewallBackendName, Plan } from '../../compile/plan.js';
import { networkAddress } from '../../model/address.js';
import { HostError, type HostState, type ObservedAddress, type ObservedLink, type ObservedRoute } from '../types.js';
import { readFileState } from './files.js';
import { isLiveDnsmasq, processArgs, readPidfile } from './dnsmasq-process.js';
import type { CommandContext } from './netns.js';
import { describeFailure, hasBinary, type RunResult } from './run.js';
import { readSysctls } from './sysctl.js';
import { batchLine } from './iproute2.js';

interface IpLinkJson {
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { stp_state?: number; forward_delay?: number; vlan_filtering?: number } };
}
interface IpAddrJson {
  ifname: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; broadcast?: string }>;
}
interface IpRouteJson {
  type?: string;
  dst: string;
  gateway?: string;
  metric?: number;
  table?: string;
  protocol?: string;
}

/** Observed link, addresses and routes of one device (empty when it does not exist). */
export async function readDevice(ctx: CommandContext, dev: string): Promise<{ links: ObservedLink[]; addresses: ObservedAddress[]; routes: ObservedRoute[] }> {
  const empty = { links: [], addresses: [], routes: [] };
  // Validates the name the same way a batch line would.
  batchLine({ kind: 'link.set-state', dev, up: true });
  // `address show -details` carries the link details too (in a batch, a `link show` before it
  // would make iproute2 leave the addresses out).
  const r = await ctx.ip(['-json', '-details', '-batch', '-'], { input: `address show dev ${dev}\nroute show table all dev ${dev}\n` });
  if (r.code !== 0) return empty;
  const parts = r.stdout.split('\n').filter((l) => l.trim().startsWith('['));
  if (parts.length < 2) return empty;
  const links = (JSON.parse(parts[0]!) as IpLinkJson[]).map((l): ObservedLink => {
    const link: ObservedLink = { name: l.ifname, up: (l.flags ?? []).includes('UP') };
    if (l.linkinfo?.info_kind) link.kind = l.linkinfo.info_kind;
    if (l.address) link.mac = l.address;
    if (l.mtu !== undefined) link.mtu = l.mtu;
    const d = l.linkinfo?.info_data;
    if (d?.stp_state !== undefined) link.stp = d.stp_state !== 0;
    if (d?.forward_delay !== undefined) link.forwardDelay = d.forward_delay;
    if (d?.vlan_filtering !== undefined) link.vlanFiltering = d.vlan_filtering !== 0;
    return link;
  });
  const addresses: ObservedAddress[] = [];
  for (const a of JSON.parse(parts[0]!) as IpAddrJson[]) {
    for (const i of a.addr_info ?? []) {
      if (i.family !== 'inet' && i.family !== 'inet6') continue;
      const addr: ObservedAddress = { dev: a.ifname, family: i.family === 'inet' ? 'ipv4' : 'ipv6', address: i.local, prefix: i.prefixlen };
      if (i.broadcast) addr.broadcast = i.broadcast;
      addresses.push(addr);
    }
  }
  const routes: ObservedRoute[] = [];
  for (const rt of JSON.parse(parts[1]!) as IpRouteJson[]) {
    // Unicast routes of the main table: what a network adds (kernel prefix routes included).
    if ((rt.type ?? 'unicast') !== 'unicast' || (rt.table ?? 'main') !== 'main') continue;
    const family = rt.dst.includes(':') ? 'ipv6' : 'ipv4';
    const [destination, p] = rt.dst === 'default' ? [family === 'ipv6' ? '::' : '0.0.0.0', '0'] : rt.dst.split('/');
    const route: ObservedRoute = { dev, family, destination: destination!, prefix: p === undefined ? (family === 'ipv6' ? 128 : 32) : Number(p) };
    if (rt.gateway) route.gateway = rt.gateway;
    if (rt.metric !== undefined) route.metric = rt.metric;
    routes.push(route);
  }
  return { links, addresses, routes };
}

/** The subnets (`a.b.c.0/24`) of a plan's addresses, for picking its firewall rules out. */
function subnetsOf(plan: Plan): string[] {
  const out = new Set<string>();
  for (const op of plan.operations) {
    if (op.kind !== 'address.add') continue;
    out.add(`${networkAddress(op.address, op.prefix)}/${op.prefix}`);
  }
  return [...out];
}

function mentions(line: string, bridge: string | undefined, subnets: readonly string[]): boolean {
  if (bridge && new RegExp(`(^|[\\s"])${bridge.replace(/[.+]/g, '\\$&')}($|[\\s"])`).test(line)) return true;
  return subnets.some((s) => line.includes(s));
}

/**
 * The firewall rules that belong to a network: `-A` lines of iptables-save / ip6tables-save, or
 * rules of `nft -j list ruleset` rendered in nft's listed form (bare `counter`), that name its
 * bridge or one of its subnets. The dumps are read with the firewall compiler's own parsers. A
 * dump tool that fails is an error (`ECOMMAND`), not an empty firewall: an empty ruleset lists
 * with exit status 0.
 */
export async function readFirewall(ctx: CommandContext, backend: FirewallBackendName, bridge: string | undefined, subnets: readonly string[]): Promise<string[]> {
  const rules: string[] = [];
  if (backend === 'iptables') {
    for (const [tool, family] of [['iptables-save', 'ipv4'], ['ip6tables-save', 'ipv6']] as const) {
      if (!hasBinary(tool)) continue;
      const { tables } = parseIptablesSave(succeeded(tool, [], await ctx.tool(tool, [])).stdout);
      for (const [table, state] of Object.entries(tables)) {
        for (const line of state.rules) if (mentions(line, bridge, subnets)) rules.push(`${family} ${table} ${line}`);
      }
    }
    return rules;
  }
  if (!hasBinary('nft')) return rules;
  const { tables } = parseNftJson(succeeded('nft', ['-j', 'list', 'ruleset'], await ctx.tool('nft', ['-j', 'list', 'ruleset'])).stdout);
  for (const [table, listing] of Object.entries(tables)) {
    for (const [chain, chainRules] of Object.entries(listing.chains)) {
      for (const rule of chainRules) if (mentions(rule.text, bridge, subnets)) rules.push(`${table} ${chain} ${rule.text}`);
    }
  }
  return rules;
}

/** The result of a dump command that exited 0; otherwise a `HostError` with what it said. */
function succeeded(command: string, args: readonly string[], r: RunResult): RunResult {
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure(command, args, r));
  return r;
}

/**
 * Everything a plan touches, as it is now on the host. Without a plan only the network name is
 * known, so the state is empty.
 */
export async function inspectNetwork(ctx: CommandContext, network: string, plan: Plan | undefined): Promise<HostState> {
  const state: HostState = { network, active: plan !== undefined, links: [], addresses: [], routes: [], sysctls: {}, firewall: { backend: plan?.firewallBackend ?? 'nftables', rules: [] }, files: [] };
  if (!plan) return state;
  const bridge = plan.bridge;
  const sysctlKeys = [...new Set(plan.operations.flatMap((op) => (op.kind === 'sysctl.set' ? [op.key] : [])))];
  const hasFirewall = plan.operations.some((op) => op.kind === 'firewall.add');
  const [device, sysctls, firewall] = await Promise.all([
    bridge ? readDevice(ctx, bridge) : Promise.resolve({ links: [], addresses: [], routes: [] }),
    readSysctls(ctx, sysctlKeys),
    hasFirewall ? readFirewall(ctx, plan.firewallBackend, bridge, subnetsOf(plan)) : Promise.resolve([]),
  ]);
  Object.assign(state, device);
  state.sysctls = sysctls;
  state.firewall.rules = firewall;
  for (const op of plan.operations) {
    if (op.kind !== 'file.write') continue;
    const f = await readFileState(op.path);
    if (f) state.files.push({ path: op.path, ...f });
  }
  const start = plan.operations.find((op) => op.kind === 'dnsmasq.start');
  if (start && start.kind === 'dnsmasq.start') {
    const pid = readPidfile(start.pidfile);
    if (pid !== undefined) {
      const running = isLiveDnsmasq(pid);
      state.dnsmasq = { pid, running, args: running ? (processArgs(pid) ?? []) : [] };
    }
  }
  return state;
}
