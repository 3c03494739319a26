/**
 * `virtnet apply`, `virtnet destroy` and `virtnet status`: start, stop and inspect a network on
 * this host (or inside a network namespace) with the Linux backend.
 */
import { existsSync } from 'node:fs';
import type { ApplyResult, HostState } from '../../backend/index.js';
import { LinuxBackend } from '../../backend/index.js';
import type { Network } from '../../model/index.js';
import { compileNetwork, describeOperation, describePlan, needsBridgeAllocation } from '../../compile/index.js';
import { parseArgs } from '../args.js';
import type { Io } from '../io.js';
import { loadNetwork, loadValidNetwork, ReportedError } from '../load.js';
import { FIREWALL_BACKENDS, type FirewallChoice } from './shared.js';

export const applyUsage = 'virtnet apply [--netns NS] [--firewall iptables|nftables] [--dry-run] [--state-dir DIR] [--pid-dir DIR] [--run-dir DIR] FILE';
export const destroyUsage = 'virtnet destroy [--netns NS] [--run-dir DIR] FILE|NAME';
export const statusUsage = 'virtnet status [--netns NS] [--json] [--run-dir DIR] NAME';

/** Refuse early, in one clear line, where the host would refuse half-way with EPERM/EACCES. */
function requireRoot(verb: string, io: Io): void {
  if (!isRoot()) {
    io.err(`virtnet ${verb}: needs root: it creates bridges and firewall rules and runs dnsmasq (use --dry-run to see the plan)\n`);
    throw new ReportedError(1);
  }
}

function isRoot(): boolean {
  return typeof process.getuid !== 'function' || process.getuid() === 0;
}

/** The backend for `--netns` and `--run-dir` (where virtnet records the networks it applied). */
function backendFor(values: ReadonlyMap<string, string>): LinuxBackend {
  const netns = values.get('netns');
  const runDir = values.get('run-dir');
  return new LinuxBackend({ ...(netns ? { netns } : {}), ...(runDir ? { runDir } : {}) });
}

function reportResult(verb: string, network: string, result: ApplyResult, io: Io): number {
  if (result.ok) {
    io.out(
      result.unchanged
        ? `${network}: already ${verb === 'apply' ? 'up as planned' : 'down'}; nothing changed\n`
        : `${network}: ${verb === 'apply' ? 'started' : 'stopped'} (${result.operations.length} operations, ${result.processes} processes, ${result.durationMs.toFixed(1)} ms)\n`,
    );
    return 0;
  }
  const failed = result.error?.operationIndex !== undefined ? result.operations[result.error.operationIndex] : undefined;
  io.err(
    `${network}: ${verb} failed${failed ? ` at operation ${result.error?.operationIndex}: ${describeOperation(failed.operation)}` : ''}: ${result.error?.message ?? 'unknown error'} [${result.error?.code ?? 'error'}]\n`,
  );
  if (result.rolledBack) io.err(`${network}: ${result.undo.length} completed operations were undone; the host is as it was\n`);
  return 1;
}

export async function applyCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['dry-run'],
    values: { netns: null, firewall: FIREWALL_BACKENDS, 'state-dir': null, 'pid-dir': null, 'run-dir': null },
    positionals: [1, 1],
  });
  // dnsmasq's files and pidfile go to libvirt's folders unless told otherwise.
  const stateDir = args.values.get('state-dir');
  const pidDir = args.values.get('pid-dir');
  const folders = { ...(stateDir ? { stateDir } : {}), ...(pidDir ? { pidDir } : {}) };
  // The backend's helper process starts now, while the document is read and checked: its
  // start-up (a fork of Node, then Perl's) takes ~20 ms here.
  const backend = !args.flags.has('dry-run') && isRoot() ? backendFor(args.values) : undefined;
  backend?.warmUp();
  try {
    // No UUID is generated here: an active network keeps the one its first apply recorded.
    const { network } = loadValidNetwork(args.positionals[0]!, io, { generateUuid: false });
    const chosen = args.values.get('firewall') as FirewallChoice | undefined;
    if (args.flags.has('dry-run')) {
      io.out(describePlan(compileNetwork(network, { ...folders, ...(chosen ? { firewallBackend: chosen } : {}) })));
      return 0;
    }
    requireRoot('apply', io);
    return await applyWith(backend!, network, folders, chosen, io);
  } finally {
    await backend?.close();
  }
}

async function applyWith(backend: LinuxBackend, network: Network, folders: { stateDir?: string; pidDir?: string }, chosen: FirewallChoice | undefined, io: Io): Promise<number> {
  // Applying the same document again must be a no-op: reuse what the recorded plan chose (bridge
  // name, MAC, UUID, firewall) where the document leaves it open, and avoid names already taken.
  const previous = await backend.store.get(network.name);
  const plan = compileNetwork(network, {
    ...folders,
    firewallBackend: chosen ?? previous?.firewallBackend ?? 'nftables',
    // Only a name left to allocate (absent or `virbr%d`) needs the host's links: one process.
    usedBridgeNames: needsBridgeAllocation(network.bridge?.name) ? await backend.usedBridgeNames() : [],
    ...(previous ? { previous } : {}),
  });
  const result = await backend.apply(plan);
  return reportResult('apply', plan.network, result, io);
}

export async function destroyCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: { netns: null, 'run-dir': null }, positionals: [1, 1] });
  const target = args.positionals[0]!;
  // A readable file is a network document; anything else is a network name.
  const name = target === '-' || existsSync(target) ? loadNetwork(target, io).network.name : target;
  requireRoot('destroy', io);
  const backend = backendFor(args.values);
  try {
    return reportResult('destroy', name, await backend.teardown(name), io);
  } finally {
    await backend.close();
  }
}

function renderState(state: HostState): string {
  const lines = [`network ${state.network}: ${state.active ? 'active' : 'inactive'}`];
  for (const link of state.links)
    lines.push(`  link ${link.name}${link.kind ? ` (${link.kind})` : ''} ${link.up ? 'up' : 'down'}${link.mac ? ` mac ${link.mac}` : ''}${link.mtu ? ` mtu ${link.mtu}` : ''}${link.stp !== undefined ? ` stp ${link.stp ? 'on' : 'off'}` : ''}`);
  for (const a of state.addresses) lines.push(`  address ${a.address}/${a.prefix} dev ${a.dev}${a.broadcast ? ` brd ${a.broadcast}` : ''}`);
  for (const r of state.routes) lines.push(`  route ${r.destination}/${r.prefix}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`);
  for (const [key, value] of Object.entries(state.sysctls)) lines.push(`  sysctl ${key} = ${value}`);
  lines.push(`  firewall (${state.firewall.backend}): ${state.firewall.rules.length} rules`);
  for (const f of state.files) lines.push(`  file ${f.path} (${f.mode.toString(8).padStart(4, '0')}, ${Buffer.byteLength(f.content)} bytes)`);
  if (state.dnsmasq) lines.push(`  dnsmasq pid ${state.dnsmasq.pid} ${state.dnsmasq.running ? 'running' : 'not running'}`);
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], values: { netns: null, 'run-dir': null }, positionals: [1, 1] });
  const backend = backendFor(args.values);
  const state = await backend.inspect(args.positionals[0]!).finally(() => backend.close());
  io.out(args.flags.has('json') ? `${JSON.stringify(state, null, 2)}\n` : renderState(state));
  return state.active ? 0 : 3;
}
