/**
 * `virtnet/testing`: unit-test a network configuration offline, in a few lines, with any test
 * framework. A mock host plays the Linux kernel, iproute2, the firewall and dnsmasq with their
 * rules; assertion helpers throw a plain `Error` whose message lists every difference.
 *
 * @example
 * ```ts
 * import { createMockHost, startNetwork, expectNetworkUp } from 'virtnet/testing';
 *
 * const host = createMockHost();
 * const { state } = await startNetwork(host, xml);
 * expectNetworkUp(state, { bridge: 'virbr0', addresses: ['192.168.122.1/24'], dhcpRanges: ['192.168.122.2-192.168.122.254'] });
 * ```
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { compileNetwork } from './compile/compile.js';
import type { CompileOptions } from './compile/options.js';
import type { Operation, Plan } from './compile/plan.js';
import { describeOperation } from './compile/describe.js';
import { MockBackend, type MockBackendOptions } from './backend/mock/backend.js';
import type { HostSnapshot } from './backend/mock/state.js';
import type { ApplyResult, HostState } from './backend/types.js';
import { defineNetwork } from './model/define.js';
import type { Network, NetworkInit } from './model/network.js';
import { formatProblems, hasErrors, validateNetwork, type Problem } from './validate/index.js';
import { parseNetwork } from './xml/parse.js';

export { MockBackend, type MockBackendOptions } from './backend/mock/backend.js';
export { MockHost, type MockHostOptions } from './backend/mock/host.js';
export type { MockLogEntry, FaultPredicate } from './backend/mock/executor.js';
export type { HostSnapshot } from './backend/mock/state.js';

/**
 * A fresh in-memory host with its backend: `lo`, the kernel's sysctl defaults, `/run`, `/var/lib`…
 * Add devices (`links: [{ name: 'eth0' }]`), folders or sysctl values through `options`.
 *
 * @example
 * ```ts
 * const host = createMockHost({ links: [{ name: 'eth0', up: true }] });
 * ```
 */
export function createMockHost(options: MockBackendOptions = {}): MockBackend {
  return new MockBackend(options);
}

/** A network as a test has it: XML text, or a model object (checked with `defineNetwork`). */
export type NetworkSource = string | Uint8Array | Network | NetworkInit;

/** Thrown by {@link startNetwork} when the network is one libvirt would refuse to define. */
export class InvalidNetworkError extends Error {
  override readonly name = 'InvalidNetworkError';
  readonly code = 'network.invalid';
  constructor(readonly problems: Problem[]) {
    super(`the network is invalid:\n${formatProblems(problems)}`);
  }
}

/** Options of {@link startNetwork}: the compiler's, plus whether to validate first (default yes). */
export interface StartOptions extends CompileOptions {
  validate?: boolean;
}

/** What {@link startNetwork} returns. */
export interface StartedNetwork {
  network: Network;
  plan: Plan;
  result: ApplyResult;
  /** The host state of the network after the apply (also after a failed one). */
  state: HostState;
}

/** Random bytes derived from a seed, so a generated bridge MAC is the same in every run. */
function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const block = createHash('sha256').update(`${seed}\0${counter++}`).digest();
      const take = Math.min(block.length, n - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}

/** Parse or check a network source into the model. */
export function toNetwork(source: NetworkSource): Network {
  if (typeof source === 'string' || source instanceof Uint8Array) return parseNetwork(source);
  return defineNetwork(source as NetworkInit);
}

/**
 * Validate, compile and apply a network on a mock host, and read back its state. Unless told
 * otherwise it refuses (with {@link InvalidNetworkError}) a network libvirt would refuse, picks a
 * free `virbrN` among the host's links, and derives a generated MAC from the network name so
 * test output is stable. A failed apply is returned, not thrown: check `result.ok`.
 *
 * @example
 * ```ts
 * const { plan, result, state } = await startNetwork(createMockHost(), "<network><name>n</name>…</network>");
 * ```
 */
export async function startNetwork(host: MockBackend, source: NetworkSource, options: StartOptions = {}): Promise<StartedNetwork> {
  const { validate = true, ...compileOptions } = options;
  const network = toNetwork(source);
  if (validate) {
    const problems = validateNetwork(network);
    if (hasErrors(problems)) throw new InvalidNetworkError(problems.filter((p) => p.severity === 'error'));
  }
  const plan = compileNetwork(network, {
    usedBridgeNames: host.host.data.links.keys(),
    random: seededRandom(network.name),
    ...compileOptions,
  });
  const result = await host.apply(plan);
  const state = await host.inspect(network.name);
  return { network, plan, result, state };
}

/**
 * Stop a network on a mock host and return the result and the state afterwards.
 *
 * @example
 * ```ts
 * const { result } = await stopNetwork(host, 'default');
 * ```
 */
export async function stopNetwork(host: MockBackend, target: Plan | string): Promise<{ result: ApplyResult; state: HostState }> {
  const result = await host.teardown(target);
  const state = await host.inspect(typeof target === 'string' ? target : target.network);
  return { result, state };
}

/** A failure report: what an apply or teardown result says went wrong, in one paragraph. */
export function describeResult(result: ApplyResult): string {
  if (result.ok) return result.unchanged ? 'ok (unchanged)' : `ok (${result.operations.length} operations)`;
  const lines = [`failed: ${result.error?.code ?? '?'}: ${result.error?.message ?? ''}`];
  lines.push(result.rolledBack ? 'rolled back: the host is as it was' : 'NOT fully rolled back');
  for (const u of result.undo) if (u.status === 'undo-failed') lines.push(`  undo failed: ${describeOperation(u.operation)}: ${u.error?.code} ${u.error?.message}`);
  return lines.join('\n');
}

/**
 * Throw unless the apply or teardown worked.
 *
 * @example
 * ```ts
 * expectApplied((await startNetwork(host, xml)).result);
 * ```
 */
export function expectApplied(result: ApplyResult): void {
  if (!result.ok) throw new Error(`expected the operation to succeed, but it ${describeResult(result)}`);
}

/** What {@link expectNetworkUp} checks; every field is optional, lists are compared as sets. */
export interface ExpectedNetwork {
  bridge?: string;
  mac?: string;
  mtu?: number;
  stp?: boolean;
  /** Centiseconds, as the kernel reports it (with STP on, at least 200). */
  forwardDelay?: number;
  /** Exactly these addresses on the bridge: `192.168.122.1/24`, `2001:db8::1/64`. */
  addresses?: string[];
  /** Exactly these static routes: `10.10.0.0/16 via 192.168.122.2`. */
  routes?: string[];
  /** Host-wide forwarding switches. */
  forwarding?: { ipv4?: boolean; ipv6?: boolean };
  /** Exactly these dnsmasq DHCP ranges: `192.168.122.2-192.168.122.254` (IPv4 and IPv6). */
  dhcpRanges?: string[];
  /** These static DHCP hosts are in the hostsfile (each field given must match one line). */
  dhcpHosts?: Array<{ mac?: string; ip?: string; name?: string }>;
  /** These DNS host records are in the addnhosts file. */
  dnsHosts?: Array<{ ip: string; hostnames: string[] }>;
  /** dnsmasq runs (true) or not (false). */
  dnsmasq?: boolean;
  /** The firewall: its backend, and rule fragments that must each appear in some rule. */
  firewall?: { backend?: 'iptables' | 'nftables'; rulesContaining?: string[]; ruleCount?: number };
}

const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

function compareSets(label: string, expected: string[], found: string[], problems: string[]): void {
  const missing = expected.filter((e) => !found.includes(e));
  const extra = found.filter((f) => !expected.includes(f));
  if (missing.length) problems.push(`${label}: missing ${missing.map(show).join(', ')}`);
  if (extra.length) problems.push(`${label}: unexpected ${extra.map(show).join(', ')}`);
}

/** The dnsmasq config file of the network's dnsmasq (from its `--conf-file=`), as lines. */
export function dnsmasqConfLines(state: HostState): string[] {
  const confArg = state.dnsmasq?.args.find((a) => a.startsWith('--conf-file='));
  const path = confArg?.slice('--conf-file='.length) ?? state.files.find((f) => f.path.endsWith('.conf'))?.path;
  const file = state.files.find((f) => f.path === path);
  return file ? file.content.split('\n').filter((l) => l !== '') : [];
}

/** The lines of the file a dnsmasq option (`dhcp-hostsfile`, `addn-hosts`) names. */
function referencedFileLines(state: HostState, option: string): string[] {
  const line = dnsmasqConfLines(state).find((l) => l.startsWith(`${option}=`));
  const file = line && state.files.find((f) => f.path === line.slice(option.length + 1));
  return file ? file.content.split('\n').filter((l) => l !== '') : [];
}

/**
 * Throw unless the network is up on the host as described. The message lists every difference.
 *
 * @example
 * ```ts
 * expectNetworkUp(state, {
 *   bridge: 'virbr0',
 *   addresses: ['192.168.122.1/24'],
 *   dhcpRanges: ['192.168.122.2-192.168.122.254'],
 *   dhcpHosts: [{ mac: '52:54:00:aa:bb:01', ip: '192.168.122.50' }],
 * });
 * ```
 */
export function expectNetworkUp(state: HostState, expected: ExpectedNetwork = {}): void {
  const problems: string[] = [];
  if (!state.active) problems.push('the network is not active (no applied plan on record)');
  const link = state.links[0];
  if (!link) problems.push(`no bridge on the host${state.plan?.bridge ? ` (the plan names ${state.plan.bridge})` : ''}`);
  else {
    if (!link.up) problems.push(`bridge ${link.name} is down`);
    const fields: Array<[string, unknown, unknown]> = [
      ['bridge', expected.bridge, link.name],
      ['mac', expected.mac, link.mac],
      ['mtu', expected.mtu, link.mtu],
      ['stp', expected.stp, link.stp],
      ['forwardDelay', expected.forwardDelay, link.forwardDelay],
    ];
    for (const [name, want, got] of fields) if (want !== undefined && want !== got) problems.push(`${name}: expected ${show(want)}, found ${show(got)}`);
  }
  if (expected.addresses) compareSets('addresses', expected.addresses, state.addresses.map((a) => `${a.address}/${a.prefix}`), problems);
  if (expected.routes) compareSets('routes', expected.routes, state.routes.map((r) => `${r.destination}/${r.prefix} via ${r.gateway}`), problems);
  if (expected.forwarding) {
    for (const [family, key] of [
      ['ipv4', 'net.ipv4.ip_forward'],
      ['ipv6', 'net.ipv6.conf.all.forwarding'],
    ] as const) {
      const want = expected.forwarding[family];
      const got = state.sysctls[key];
      if (want !== undefined && (got === '1') !== want) problems.push(`${key}: expected ${want ? '1' : '0'}, found ${show(got)}`);
    }
  }
  if (expected.dnsmasq !== undefined && Boolean(state.dnsmasq?.running) !== expected.dnsmasq) {
    problems.push(expected.dnsmasq ? 'dnsmasq is not running' : `dnsmasq is running (pid ${state.dnsmasq?.pid})`);
  }
  if (expected.dhcpRanges) {
    const found = dnsmasqConfLines(state)
      .filter((l) => l.startsWith('dhcp-range='))
      .map((l) => l.slice('dhcp-range='.length).split(','))
      .filter((parts) => parts[1] !== undefined && parts[1] !== 'ra-only' && /[.:]/.test(parts[1]))
      .map((parts) => `${parts[0]}-${parts[1]}`);
    compareSets('DHCP ranges', expected.dhcpRanges, found, problems);
  }
  if (expected.dhcpHosts) {
    const lines = referencedFileLines(state, 'dhcp-hostsfile').map((l) => l.split(','));
    for (const host of expected.dhcpHosts) {
      const match = lines.some((fields) => [host.mac, host.ip, host.name].every((v) => v === undefined || fields.includes(v)));
      if (!match) problems.push(`DHCP host ${show(host)} is not in the hostsfile (${lines.length ? lines.map((f) => f.join(',')).join(' | ') : 'empty'})`);
    }
  }
  if (expected.dnsHosts) {
    const lines = referencedFileLines(state, 'addn-hosts').map((l) => l.split(/\s+/).filter(Boolean));
    for (const host of expected.dnsHosts) {
      const line = lines.find((fields) => fields[0] === host.ip);
      const missing = host.hostnames.filter((h) => !line?.slice(1).includes(h));
      if (missing.length) problems.push(`DNS host ${host.ip}: missing ${missing.map(show).join(', ')} in the addnhosts file`);
    }
  }
  if (expected.firewall) {
    const fw = expected.firewall;
    if (fw.backend !== undefined && fw.backend !== state.firewall.backend) problems.push(`firewall backend: expected ${fw.backend}, found ${state.firewall.backend}`);
    if (fw.ruleCount !== undefined && fw.ruleCount !== state.firewall.rules.length) problems.push(`firewall: expected ${fw.ruleCount} rules, found ${state.firewall.rules.length}`);
    for (const fragment of fw.rulesContaining ?? []) {
      if (!state.firewall.rules.some((r) => r.includes(fragment))) problems.push(`firewall: no rule contains ${show(fragment)}`);
    }
  }
  if (problems.length) throw new Error(`network '${state.network}' is not up as expected:\n  - ${problems.join('\n  - ')}`);
}

/**
 * Throw unless nothing of the network is left on the host: no record, bridge, address, route,
 * firewall rule, file or dnsmasq.
 *
 * @example
 * ```ts
 * expectNetworkDown((await stopNetwork(host, 'default')).state);
 * ```
 */
export function expectNetworkDown(state: HostState): void {
  const problems: string[] = [];
  if (state.active) problems.push('the network is still on record as active');
  for (const l of state.links) problems.push(`link ${l.name} still exists`);
  for (const a of state.addresses) problems.push(`address ${a.address}/${a.prefix} still on ${a.dev}`);
  for (const r of state.routes) problems.push(`route ${r.destination}/${r.prefix} still via ${r.dev}`);
  for (const r of state.firewall.rules) problems.push(`firewall rule still installed: ${r}`);
  if (state.dnsmasq?.running) problems.push(`dnsmasq still running (pid ${state.dnsmasq.pid})`);
  for (const f of state.files) problems.push(`file ${f.path} still exists`);
  if (problems.length) throw new Error(`network '${state.network}' is not down:\n  - ${problems.join('\n  - ')}`);
}

/** Index a snapshot part by a key so two snapshots can be compared entry by entry. */
function entries(snapshot: HostSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of snapshot.links) out.set(`link ${l.name}`, JSON.stringify(l));
  for (const a of snapshot.addresses) out.set(`address ${a.address}/${a.prefix} dev ${a.dev}`, JSON.stringify(a));
  for (const r of snapshot.routes) out.set(`route ${r.destination}/${r.prefix} via ${r.gateway} dev ${r.dev} metric ${r.metric}`, JSON.stringify(r));
  for (const [k, v] of Object.entries(snapshot.sysctls)) out.set(`sysctl ${k}`, JSON.stringify(v));
  for (const backend of ['iptables', 'nftables'] as const) {
    for (const [chain, rules] of Object.entries(snapshot.firewall[backend])) {
      rules.forEach((rule, i) => out.set(`${backend} ${chain} #${i + 1}`, JSON.stringify(rule)));
    }
  }
  for (const f of snapshot.tcFilters) out.set(`tc filter dev ${f.dev} dport ${f.port}`, JSON.stringify(f));
  for (const [path, f] of Object.entries(snapshot.files)) out.set(`file ${path}`, JSON.stringify(f));
  for (const d of snapshot.dirs) out.set(`dir ${d}`, '');
  for (const p of snapshot.processes) out.set(`process ${p.binary} (pidfile ${p.pidfile})`, JSON.stringify(p));
  return out;
}

/** One difference between two snapshots: the entry's key and a line describing it. */
function differences(before: HostSnapshot, after: HostSnapshot): Array<{ key: string; line: string }> {
  const a = entries(before);
  const b = entries(after);
  const out: Array<{ key: string; line: string }> = [];
  for (const [key, value] of a) {
    if (!b.has(key)) out.push({ key, line: `- ${key}${value ? ` ${value}` : ''}` });
    else if (b.get(key) !== value) out.push({ key, line: `~ ${key}: ${value} → ${b.get(key)}` });
  }
  for (const [key, value] of b) if (!a.has(key)) out.push({ key, line: `+ ${key}${value ? ` ${value}` : ''}` });
  return out;
}

/**
 * Every difference between two host snapshots, one line each: `+ added`, `- removed`,
 * `~ changed: before → after`. Empty when they are equal.
 *
 * @example
 * ```ts
 * diffSnapshots(before, after); // ['~ sysctl net.ipv4.ip_forward: "0" → "1"', '+ link virbr0 …']
 * ```
 */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): string[] {
  return differences(before, after).map((d) => d.line);
}

/**
 * Throw unless two snapshots are equal, leaving out the sysctl keys in `ignoreSysctls`.
 *
 * @example
 * ```ts
 * expectHostUnchanged(before, host.snapshot(), { ignoreSysctls: ['net.ipv4.ip_forward'] });
 * ```
 */
export function expectHostUnchanged(before: HostSnapshot, after: HostSnapshot, options: { ignoreSysctls?: string[] } = {}): void {
  const ignored = new Set((options.ignoreSysctls ?? []).map((k) => `sysctl ${k}`));
  const diff = differences(before, after).filter((d) => !ignored.has(d.key));
  if (diff.length) throw new Error(`the host changed:\n  ${diff.map((d) => d.line).join('\n  ')}`);
}

/** What happened when one operation was made to fail. */
export interface FaultReport {
  index: number;
  operation: Operation;
  result: ApplyResult;
  /** The failure was one the plan tolerates (a static route, as libvirt): the apply went on. */
  tolerated: boolean;
  /** For an intolerable failure: the differences left on the host (empty when it was rolled back exactly). */
  leftovers: string[];
}

/**
 * Make each operation of `plan` fail in turn (on a fresh host from `makeHost` each time) and check
 * the host ends exactly as it was and the result names the failed operation. Throws one error
 * listing every index that broke the rule; returns the reports otherwise.
 *
 * @example
 * ```ts
 * const { plan } = await startNetwork(createMockHost(), xml);
 * const reports = await failEveryStep(() => createMockHost(), plan);
 * ```
 */
export async function failEveryStep(makeHost: () => MockBackend, plan: Plan, options: { errno?: string } = {}): Promise<FaultReport[]> {
  const errno = options.errno ?? 'EIO';
  const reports: FaultReport[] = [];
  const broken: string[] = [];
  for (let index = 0; index < plan.operations.length; index++) {
    const host = makeHost();
    const before = host.snapshot();
    host.failAt(index, errno);
    const result = await host.apply(plan);
    const operation = plan.operations[index]!;
    const tolerated = result.ok && result.operations[index]?.status === 'ignored';
    const leftovers = tolerated ? [] : diffSnapshots(before, host.snapshot());
    reports.push({ index, operation, result, tolerated, leftovers });
    if (tolerated) continue;
    const what = `operation ${index} (${describeOperation(operation)})`;
    if (result.ok) broken.push(`${what}: the apply succeeded despite the failure`);
    else if (result.error?.operationIndex !== index) broken.push(`${what}: the result names operation ${result.error?.operationIndex}`);
    if (!result.rolledBack) broken.push(`${what}: not rolled back: ${describeResult(result)}`);
    if (leftovers.length) broken.push(`${what}: the host kept changes:\n      ${leftovers.join('\n      ')}`);
  }
  if (broken.length) throw new Error(`failure injection found ${broken.length} problem(s):\n  - ${broken.join('\n  - ')}`);
  return reports;
}
