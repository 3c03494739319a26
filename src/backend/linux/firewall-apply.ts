/**
 * Installing and removing a network's firewall rules with one process per call where possible:
 * one `nft -f -` script, or one `iptables-restore --noflush` (+ one `ip6tables-restore` when the
 * network has IPv6 rules). The input comes from the firewall compiler's renderers
 * (`renderNftScript`, `iptablesRestoreBlocks`), which also hold libvirt's global chains; this
 * module reads host state only where it must, runs the one process and maps failures.
 *
 * Reads, kept to what the process budget allows:
 * - nftables add: none. The script's `add table`/`add chain` are idempotent and `forward` (only
 *   libvirt's jumps) is re-created; the network's rules are inserted (the engine adds a network
 *   only when it is not up).
 * - nftables remove: one `nft -a list ruleset` for the handles, then one `delete rule … handle N`
 *   script for the listed rules whose text is one of the network's.
 * - iptables add: a `:CHAIN` line in `--noflush` input empties an existing chain (other networks'
 *   rules!), so the first add per executor and family reads `iptables-save` once (one extra
 *   process) and renders against that dump; later adds render against what this executor knows of
 *   the LIBVIRT_* chains and jumps, like libvirt's once-per-daemon `chainInitDone`.
 * - iptables remove: none; each rule is deleted once (a missing one fails the input, atomically).
 *
 * iptables-restore commits block by block: when a later block fails, the rules already committed
 * are removed again before the error is reported. The DHCP CHECKSUM rule, which libvirt applies
 * with errors ignored, comes in its own last block, and its failure is ignored likewise.
 *
 * @module
 */
import type { Operation } from '../../compile/plan.js';
import {
  iptablesRestoreBlocks,
  iptablesRestoreText,
  iptablesRuleArgs,
  nftActionTokens,
  nftChainName,
  nftMatchTokens,
  parseIptablesSave,
  parseNftListing,
  renderNftScript,
  rulesOfFamily,
  tcChecksumCommands,
  IPTABLES_RESTORE_ARGS,
  type FirewallFamily,
  type FirewallRules,
  type IptablesRestoreBlock,
  type IptablesSaveState,
} from '../../compile/firewall/index.js';
import { HostError } from '../types.js';
import type { CommandContext } from './netns.js';
import { describeFailure } from './run.js';

export type FirewallOperation = Extract<Operation, { kind: 'firewall.add' | 'firewall.remove' }>;

/**
 * Argument values end up in restore lines and nft scripts. The compiler checks every name, but a
 * plan may come from a store: refuse anything but plain tokens before rendering.
 */
const TOKEN = /^[A-Za-z0-9_.:/,!=+-]+$|^"[A-Za-z0-9_.+-]+"$/;

function checkTokens(rules: FirewallRules, op: Operation): void {
  const tokens: string[] = [];
  for (const rule of rules.rules) {
    tokens.push(...iptablesRuleArgs(rule, '--insert'));
    if (nftChainName(rule.table, rule.chain) !== undefined) tokens.push(...nftMatchTokens(rule, 'quoted'), ...nftActionTokens(rule.action));
  }
  if (rules.tcChecksum) tokens.push(...tcChecksumCommands(rules.tcChecksum.dev, rules.tcChecksum.port).addFilter);
  for (const t of tokens) if (!TOKEN.test(t)) throw new HostError('EINVAL', `unsafe firewall token '${t}'`, op);
}

// ---------------------------------------------------------------------------------------------
// iptables

/** What this executor knows exists, per family: the LIBVIRT_* chains and jumps (a partial dump). */
const iptablesKnown = new WeakMap<CommandContext, Map<FirewallFamily, IptablesSaveState>>();

/** The global part of a dump: chains, and the jumps to LIBVIRT_* chains. */
function baseOnly(state: IptablesSaveState): IptablesSaveState {
  const tables: IptablesSaveState['tables'] = {};
  for (const [name, t] of Object.entries(state.tables)) {
    tables[name] = { chains: [...t.chains], rules: t.rules.filter((l) => /^-A [A-Z]+ -j LIBVIRT_\w+$/.test(l)) };
  }
  return { tables };
}

/** Record the chains and jumps committed blocks created. */
function markBase(known: IptablesSaveState, blocks: readonly IptablesRestoreBlock[]): void {
  for (const b of blocks) {
    const t = (known.tables[b.table] ??= { chains: [], rules: [] });
    for (const l of b.lines) {
      if (l.startsWith(':')) t.chains.push(l.slice(1).split(' ')[0] ?? '');
      const m = /^-I ([A-Z]+) -j (LIBVIRT_\w+)$/.exec(l);
      if (m) t.rules.push(`-A ${m[1]} -j ${m[2]}`);
    }
  }
}

async function knownIptables(ctx: CommandContext, family: FirewallFamily): Promise<{ current: IptablesSaveState; known: IptablesSaveState }> {
  let perFamily = iptablesKnown.get(ctx);
  if (!perFamily) iptablesKnown.set(ctx, (perFamily = new Map()));
  const known = perFamily.get(family);
  if (known) return { current: known, known };
  const tool = family === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
  const r = await ctx.tool(tool, [], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure(tool, [], r));
  // The full dump makes this first add idempotent; later adds know the global part only.
  const current = parseIptablesSave(r.stdout);
  const base = baseOnly(current);
  perFamily.set(family, base);
  return { current, known: base };
}

/** Network rule lines of a block (what must be deleted if it committed but a later block failed). */
function undoLines(block: IptablesRestoreBlock): string[] {
  return block.lines.filter((l) => l.startsWith('-I LIBVIRT_')).map((l) => l.replace(/^-I /, '-D ')).reverse();
}

async function iptablesFamily(ctx: CommandContext, rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove', op: Operation): Promise<void> {
  if (rulesOfFamily(rules, family).length === 0) return;
  const tool = family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
  const state = mode === 'add' ? await knownIptables(ctx, family) : undefined;
  const blocks = iptablesRestoreBlocks(rules, family, mode, state?.current);
  if (blocks.length === 0) return;
  const r = await ctx.tool(tool, [...IPTABLES_RESTORE_ARGS], { input: iptablesRestoreText(blocks), timeoutMs: 30_000 });
  if (r.code === 0) {
    if (state) markBase(state.known, blocks);
    return;
  }
  // Which block failed: each block is `*table`, its lines, `COMMIT`.
  const m = /Error occurred at line: (\d+)/.exec(r.stderr);
  const failedAt = m ? Number(m[1]) : 1;
  let end = 0;
  const failedBlock = blocks.findIndex((b) => failedAt <= (end += b.lines.length + 2));
  const committed = blocks.slice(0, failedBlock < 0 ? 0 : failedBlock);
  if (state) markBase(state.known, committed);
  // libvirt applies those rules with errors ignored.
  if (failedBlock >= 0 && blocks.slice(failedBlock).every((b) => b.ignoreErrors)) return;
  if (mode === 'add') {
    const undo = committed.map((b) => ({ ...b, lines: undoLines(b) })).filter((b) => b.lines.length > 0);
    if (undo.length > 0) await ctx.tool(tool, [...IPTABLES_RESTORE_ARGS], { input: iptablesRestoreText(undo), timeoutMs: 30_000 });
  }
  throw new HostError('ECOMMAND', describeFailure(tool, [...IPTABLES_RESTORE_ARGS], r), op);
}

// ---------------------------------------------------------------------------------------------
// nftables

async function nft(ctx: CommandContext, script: string, op: Operation): Promise<void> {
  if (script === '') return;
  // One transaction: nft applies the whole script or nothing.
  const r = await ctx.tool('nft', ['-f', '-'], { input: script, timeoutMs: 30_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-f', '-'], r), op);
}

async function nftRemove(ctx: CommandContext, rules: FirewallRules, op: Operation): Promise<void> {
  if (!rules.rules.some((r) => nftChainName(r.table, r.chain) !== undefined)) return;
  // One listing of everything (both families) with handles.
  const r = await ctx.tool('nft', ['-a', 'list', 'ruleset'], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-a', 'list', 'ruleset'], r), op);
  await nft(ctx, renderNftScript(rules, 'remove', parseNftListing(r.stdout)), op);
}

// ---------------------------------------------------------------------------------------------
// tc checksum fix (nftables)

/**
 * Where the answer of {@link kernelHasCsumAction} is kept for the rest of the boot. Scanning
 * /proc/kallsyms (5 MB) takes 90-140 ms, which every `virtnet apply` process would otherwise pay
 * on its first nftables start. /run is a root-owned tmpfs, and the boot id guards against a stale
 * file surviving a reboot.
 */
const KERNEL_FEATURES_FILE = '/run/virtnet/kernel-features.json';

/** Whether the kernel has tc's `csum` action (built in: no modules can be loaded here). */
let csumAction: boolean | undefined;
async function kernelHasCsumAction(): Promise<boolean> {
  if (csumAction !== undefined) return csumAction;
  const { mkdir, readFile, rename, writeFile } = await import('node:fs/promises');
  const bootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim(), () => '');
  try {
    const cached = JSON.parse(await readFile(KERNEL_FEATURES_FILE, 'utf8')) as { bootId?: unknown; csumAction?: unknown };
    if (bootId !== '' && cached.bootId === bootId && typeof cached.csumAction === 'boolean') return (csumAction = cached.csumAction);
  } catch {
    // No cache yet, or an unreadable one: scan.
  }
  try {
    csumAction = /\btcf_csum_act\b/.test(await readFile('/proc/kallsyms', 'utf8'));
  } catch {
    return (csumAction = true); // cannot tell: try, and report what tc says (not cached)
  }
  if (bootId !== '') {
    try {
      await mkdir('/run/virtnet', { recursive: true, mode: 0o755 });
      const temp = `${KERNEL_FEATURES_FILE}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify({ bootId, csumAction })}\n`, { mode: 0o644 });
      await rename(temp, KERNEL_FEATURES_FILE);
    } catch {
      // Only a cache: the next process scans again.
    }
  }
  return csumAction;
}

/**
 * libvirt's nftables backend adds a tc `csum` filter fixing DHCP reply checksums. On a kernel
 * without the csum action it is skipped, as libvirt's iptables backend ignores a failing CHECKSUM
 * rule (the guests' DHCP clients do not need it on a veth/bridge path).
 */
async function tcChecksum(ctx: CommandContext, rules: FirewallRules, op: Operation): Promise<void> {
  if (!rules.tcChecksum || !(await kernelHasCsumAction())) return;
  const tc = tcChecksumCommands(rules.tcChecksum.dev, rules.tcChecksum.port);
  // -force: the qdisc may exist already (libvirt checks with `tc qdisc show` first).
  const r = await ctx.tool('tc', ['-force', '-batch', '-'], { input: `${tc.addQdisc.join(' ')}\n${tc.addFilter.join(' ')}\n`, timeoutMs: 20_000 });
  if (r.code !== 0 && /Command failed -:2/.test(r.stderr)) throw new HostError('ECOMMAND', describeFailure('tc', tc.addFilter, r), op);
}

// ---------------------------------------------------------------------------------------------

/**
 * Run a firewall operation; returns its undo.
 *
 * @example
 * const undo = await applyFirewallOperation(ctx, planOp); // [{ kind: 'firewall.remove', … }]
 */
export async function applyFirewallOperation(ctx: CommandContext, op: FirewallOperation): Promise<Operation[]> {
  const mode = op.kind === 'firewall.add' ? 'add' : 'remove';
  checkTokens(op.rules, op);
  if (op.backend === 'iptables') {
    await iptablesFamily(ctx, op.rules, 'ipv4', mode, op);
    try {
      await iptablesFamily(ctx, op.rules, 'ipv6', mode, op);
    } catch (e) {
      if (mode === 'add') await iptablesFamily(ctx, op.rules, 'ipv4', 'remove', op).catch(() => undefined);
      throw e;
    }
  } else if (mode === 'add') {
    await nft(ctx, renderNftScript(op.rules, 'add'), op);
    try {
      await tcChecksum(ctx, op.rules, op);
    } catch (e) {
      await nftRemove(ctx, op.rules, op).catch(() => undefined);
      throw e;
    }
  } else {
    // The tc filter goes with the bridge (libvirt deletes the bridge right after).
    await nftRemove(ctx, op.rules, op);
  }
  const inverse: FirewallOperation = { ...op, kind: mode === 'add' ? 'firewall.remove' : 'firewall.add' };
  return [inverse];
}
