/**
 * Installing and removing a network's firewall rules with one process per call where possible:
 * one `nft -f -` script, or one `iptables-restore --noflush` (+ one `ip6tables-restore` when the
 * network has IPv6 rules). The input comes from the firewall compiler's renderers
 * (`renderNftScript`, `renderNftHandleRemoval`, `iptablesRestoreBlocks`), which also hold
 * libvirt's global chains; this module reads host state only where it must, runs the one process
 * and maps failures.
 *
 * Reads, kept to what the process budget allows:
 * - nftables add: none. The script's `add table`/`add chain` are idempotent and `forward` (only
 *   libvirt's jumps) is re-created; the network's rules are inserted (the engine adds a network
 *   only when it is not up). nft runs with `-a -e` (echo with handles), as libvirt 11.3 inserts its
 *   rules, and the handle of each inserted rule goes into the undo (`firewall.remove` `handles`).
 * - nftables remove: with handles, none: one `delete rule … handle N` script. Without them (a
 *   record from before handles were kept), or when a handle is gone, one `nft -a list ruleset`
 *   and a `delete rule … handle N` script for the listed rules whose text is one of the network's.
 * - iptables add: input is rendered against what is known to exist of the LIBVIRT_* chains and
 *   jumps (missing chains are created with `-N`, which fails on an existing one): learnt from the
 *   chains this backend created or from an `iptables-save`, and kept for the rest of the boot in
 *   the backend's run folder. When nothing is known the namespace is assumed to have none of them,
 *   which a failing `-N` disproves (see {@link knownIptables}).
 * - iptables remove: none; each rule is deleted once (a missing one fails the input, atomically).
 *
 * iptables-restore commits block by block: when a later block fails, the rules already committed
 * are removed again before the error is reported. The DHCP CHECKSUM rule, which libvirt applies
 * with errors ignored, comes in its own last block, and its failure is ignored likewise.
 *
 * @module
 */
import { join } from 'node:path';
import type { Operation, RemoveFirewallOp } from '../../compile/plan.js';
import {
  iptablesRestoreBlocks,
  iptablesRestoreText,
  iptablesRuleArgs,
  nftActionTokens,
  nftChainName,
  nftHandlesFit,
  nftInsertedHandles,
  nftMatchTokens,
  parseIptablesSave,
  parseNftListing,
  renderNftHandleRemoval,
  renderNftScript,
  rulesOfFamily,
  tcChecksumCommands,
  IPTABLES_BASE_CHAINS,
  IPTABLES_RESTORE_ARGS,
  type FirewallFamily,
  type FirewallRules,
  type IptablesRestoreBlock,
  type IptablesSaveState,
} from '../../compile/firewall/index.js';
import { HostError } from '../types.js';
import { dropFactCache, namespaceIdentity, readFactCache, writeFactCache, type FactGuard } from './fact-cache.js';
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

/**
 * What is known to exist, per context and family: the LIBVIRT_* chains and the jumps to them (a
 * partial dump), learnt from an `iptables-save` probe, from the cache file, or created by this
 * context's restores. Like libvirt's once-per-daemon `chainInitDone`, it is trusted until a
 * restore fails.
 */
const iptablesKnown = new WeakMap<CommandContext, Map<FirewallFamily, IptablesSaveState>>();

/**
 * The file in the backend's run folder (one per namespace) that keeps {@link iptablesKnown} for
 * the rest of the boot, so a CLI call (a fresh process) need not run `iptables-save` again. It
 * holds only "these chains and jumps exist" (a probe saw them, or a restore created them), which
 * can go stale in one direction only: someone removed them. A chain that is gone then fails the
 * restore, and {@link iptablesFamily} forgets the cache, probes and retries once. A jump that is
 * gone while its chain stays (`iptables -F FORWARD`) is not noticed, as libvirtd does not notice
 * it until it restarts; forgetting the file (or a reboot) makes the next start probe again.
 */
const IPTABLES_CACHE_FILE = 'iptables-chains.json';

/** The global part of a dump: the LIBVIRT_* chains, and the jumps to them. */
function baseOnly(state: IptablesSaveState): IptablesSaveState {
  const tables: IptablesSaveState['tables'] = {};
  for (const [name, t] of Object.entries(state.tables)) {
    tables[name] = { chains: t.chains.filter((c) => c.startsWith('LIBVIRT_')), rules: t.rules.filter((l) => /^-A [A-Z]+ -j LIBVIRT_\w+$/.test(l)) };
  }
  return { tables };
}

/** Whether every one of libvirt's chains and jumps is known to exist (then no chain is ever declared). */
function completeBase(state: IptablesSaveState): boolean {
  return IPTABLES_BASE_CHAINS.every((c) => {
    const t = state.tables[c.table];
    return t !== undefined && t.chains.includes(c.chain) && t.rules.includes(`-A ${c.parent} -j ${c.chain}`);
  });
}

/** Record the chains and jumps committed blocks created; whether anything was new. */
function markBase(known: IptablesSaveState, blocks: readonly IptablesRestoreBlock[]): boolean {
  let changed = false;
  for (const b of blocks) {
    const t = (known.tables[b.table] ??= { chains: [], rules: [] });
    for (const l of b.lines) {
      const chain = l.startsWith('-N ') ? l.slice(3) : '';
      if (chain !== '' && !t.chains.includes(chain)) {
        t.chains.push(chain);
        changed = true;
      }
      const m = /^-I ([A-Z]+) -j (LIBVIRT_\w+)$/.exec(l);
      if (m && !t.rules.includes(`-A ${m[1]} -j ${m[2]}`)) {
        t.rules.push(`-A ${m[1]} -j ${m[2]}`);
        changed = true;
      }
    }
  }
  return changed;
}

type CachedIptables = Partial<Record<FirewallFamily, IptablesSaveState>>;

/** The cache's facts, keeping only libvirt's own chain names and jump lines (nothing else can be trusted or is needed). */
function acceptCachedIptables(facts: unknown): CachedIptables | undefined {
  if (typeof facts !== 'object' || facts === null) return undefined;
  const out: CachedIptables = {};
  for (const family of ['ipv4', 'ipv6'] as const) {
    const tables = (facts as Record<string, { tables?: unknown }>)[family]?.tables;
    if (typeof tables !== 'object' || tables === null) continue;
    const state: IptablesSaveState = { tables: {} };
    for (const c of IPTABLES_BASE_CHAINS) {
      const t = (tables as Record<string, { chains?: unknown; rules?: unknown }>)[c.table];
      const chains = Array.isArray(t?.chains) ? t.chains : [];
      const rules = Array.isArray(t?.rules) ? t.rules : [];
      const mine = (state.tables[c.table] ??= { chains: [], rules: [] });
      if (chains.includes(c.chain) && !mine.chains.includes(c.chain)) mine.chains.push(c.chain);
      const jump = `-A ${c.parent} -j ${c.chain}`;
      if (rules.includes(jump)) mine.rules.push(jump);
    }
    out[family] = state;
  }
  return out;
}

/** Where the cache lives and what guards it; undefined when this context keeps no cache. */
async function iptablesCache(ctx: CommandContext): Promise<{ path: string; guard: FactGuard } | undefined> {
  if (ctx.runDir === undefined) return undefined;
  const netns = await namespaceIdentity(ctx.netns);
  return netns === undefined ? undefined : { path: join(ctx.runDir, IPTABLES_CACHE_FILE), guard: { netns } };
}

/** Keep what this context knows of `family`, in memory and in the cache (the other family's entry is kept). */
async function rememberIptables(ctx: CommandContext, family: FirewallFamily, known: IptablesSaveState): Promise<void> {
  iptablesKnown.get(ctx)?.set(family, known);
  const cache = await iptablesCache(ctx);
  if (!cache) return;
  const facts = (await readFactCache(cache.path, cache.guard, acceptCachedIptables)) ?? {};
  facts[family] = known;
  await writeFactCache(cache.path, cache.guard, facts);
}

/** Forget everything known of libvirt's chains (both families), in memory and in the cache. */
async function forgetIptables(ctx: CommandContext): Promise<void> {
  iptablesKnown.delete(ctx);
  const cache = await iptablesCache(ctx);
  if (cache) await dropFactCache(cache.path);
}

/** The state an add renders against, and where it came from. */
interface IptablesView {
  /** What the input is rendered against: the full dump after a probe, else the known chains and jumps. */
  current: IptablesSaveState;
  /** The chains and jumps known to exist (updated after each restore). */
  known: IptablesSaveState;
  /** Whether `current` was read from the host just now (then a failure is not the cache's fault). */
  probed: boolean;
}

/**
 * What an add of `family` renders against: this context's knowledge, or the cache when it knows
 * every one of libvirt's chains and jumps, or else a namespace without any of them (no process).
 * That guess is checked by the restore itself: `-N` fails on a chain that exists, and the block
 * with it commits nothing. And if `-N` succeeds the chain was missing, so no jump to it and no
 * rule in it can have existed: the blind insertion is exactly what a dump would have asked for.
 * When the guess is wrong the caller probes with one `iptables-save` / `ip6tables-save`
 * (`probe`) and retries. This spares the dump on the first start in a fresh namespace, where the
 * guess holds, and costs one failed restore where libvirt's chains exist but no cache says so
 * (libvirtd made them, or the run folder was lost).
 */
async function knownIptables(ctx: CommandContext, family: FirewallFamily, probe: boolean): Promise<IptablesView> {
  let perFamily = iptablesKnown.get(ctx);
  if (!perFamily) iptablesKnown.set(ctx, (perFamily = new Map()));
  if (!probe) {
    const known = perFamily.get(family);
    if (known) return { current: known, known, probed: false };
    const cache = await iptablesCache(ctx);
    const cached = cache ? (await readFactCache(cache.path, cache.guard, acceptCachedIptables))?.[family] : undefined;
    if (cached && completeBase(cached)) {
      perFamily.set(family, cached);
      return { current: cached, known: cached, probed: false };
    }
    // Known only once the restore has created them (markBase), so a concurrent add guesses too.
    return { current: { tables: {} }, known: { tables: {} }, probed: false };
  }
  const tool = family === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
  const r = await ctx.tool(tool, [], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure(tool, [], r));
  // The full dump makes this add idempotent; later adds know the global part only.
  const current = parseIptablesSave(r.stdout);
  const base = baseOnly(current);
  perFamily.set(family, base);
  return { current, known: base, probed: true };
}

/** Network rule lines of a block (what must be deleted if it committed but a later block failed). */
function undoLines(block: IptablesRestoreBlock): string[] {
  return block.lines.filter((l) => l.startsWith('-I LIBVIRT_')).map((l) => l.replace(/^-I /, '-D ')).reverse();
}

/**
 * The line of the input iptables-restore failed at: `Error occurred at line: N` (a bad command),
 * or `line N failed` (a commit the kernel refused, e.g. a missing chain); 1 when it says neither.
 */
function failedLine(stderr: string): number {
  const m = /Error occurred at line: (\d+)/.exec(stderr) ?? /\bline (\d+) failed\b/.exec(stderr);
  return m ? Number(m[1]) : 1;
}

async function iptablesFamily(ctx: CommandContext, rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove', op: Operation, probe = false): Promise<void> {
  if (rulesOfFamily(rules, family).length === 0) return;
  const tool = family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
  const view = mode === 'add' ? await knownIptables(ctx, family, probe) : undefined;
  const blocks = iptablesRestoreBlocks(rules, family, mode, view?.current);
  if (blocks.length === 0) return;
  const r = await ctx.tool(tool, [...IPTABLES_RESTORE_ARGS], { input: iptablesRestoreText(blocks), timeoutMs: 30_000 });
  if (r.code === 0) {
    if (view && (markBase(view.known, blocks) || view.probed)) await rememberIptables(ctx, family, view.known);
    return;
  }
  // Which block failed: each block is `*table`, its lines, `COMMIT`.
  const failedAt = failedLine(r.stderr);
  let end = 0;
  const failedBlock = blocks.findIndex((b) => failedAt <= (end += b.lines.length + 2));
  const committed = blocks.slice(0, failedBlock < 0 ? 0 : failedBlock);
  const learnt = view !== undefined && markBase(view.known, committed);
  // libvirt applies those rules with errors ignored.
  if (failedBlock >= 0 && blocks.slice(failedBlock).every((b) => b.ignoreErrors)) {
    if (view && (learnt || view.probed)) await rememberIptables(ctx, family, view.known);
    return;
  }
  if (mode === 'add') {
    const undo = committed.map((b) => ({ ...b, lines: undoLines(b) })).filter((b) => b.lines.length > 0);
    if (undo.length > 0) await ctx.tool(tool, [...IPTABLES_RESTORE_ARGS], { input: iptablesRestoreText(undo), timeoutMs: 30_000 });
  }
  if (view && !view.probed) {
    // Rendered from what was known, not from the host: a chain may have been removed since
    // (flushed, another tool). Forget it all, read the host and try once more.
    await forgetIptables(ctx);
    return iptablesFamily(ctx, rules, family, mode, op, true);
  }
  throw new HostError('ECOMMAND', describeFailure(tool, [...IPTABLES_RESTORE_ARGS], r), op);
}

// ---------------------------------------------------------------------------------------------
// nftables

/** Run one `nft` script (one transaction: nft applies the whole script or nothing); its stdout. */
async function nft(ctx: CommandContext, args: readonly string[], script: string, op: Operation): Promise<string> {
  if (script === '') return '';
  const r = await ctx.tool('nft', args, { input: script, timeoutMs: 30_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', args, r), op);
  return r.stdout;
}

/**
 * The arguments of the `nft` that inserts a network's rules: the script on stdin, echoed back with
 * the handles nft gave each rule (libvirt 11.3's `nft -ae`). An executor may start this process
 * ahead of its input with exactly these arguments.
 */
export const NFT_ADD_ARGS: readonly string[] = ['-a', '-e', '-f', '-'];

/**
 * Insert the network's rules with echo and handles ({@link NFT_ADD_ARGS}); the handle of each
 * inserted rule (see `nftInsertedHandles`), or undefined when the echo does not vouch for every
 * one of them (the removal then finds them by listing).
 */
async function nftAdd(ctx: CommandContext, rules: FirewallRules, op: Operation): Promise<number[] | undefined> {
  const echo = await nft(ctx, NFT_ADD_ARGS, renderNftScript(rules, 'add'), op);
  return nftInsertedHandles(rules, echo);
}

/**
 * Remove the network's rules. With `handles` (recorded when they were inserted): one
 * `delete rule … handle N` script, as libvirt 11.3 runs its stored removal recipe. If it fails
 * (a handle is gone: rules were deleted or flushed behind our back), nothing was deleted, and the
 * removal falls back to listing the ruleset and deleting the rules whose text is the network's,
 * so it still aims at absence.
 *
 * The risk libvirt shares: a handle is unique only within one life of its table. Were
 * `libvirt_network` deleted (`nft flush ruleset`) and re-created by other networks' starts while
 * this one is on record, a recorded number could name another network's rule. That needs every
 * recorded handle to exist again in the same family and the same chain (`delete rule` names the
 * chain, and the script is one transaction: one miss deletes nothing and the listing path takes
 * over), after someone wiped the firewall of running networks, which breaks them anyway. libvirt
 * 11.3 runs exactly these commands from its status XML with the same exposure; guarding against it
 * would cost the listing this path exists to save.
 */
async function nftRemove(ctx: CommandContext, rules: FirewallRules, op: Operation, handles?: readonly unknown[]): Promise<void> {
  if (!rules.rules.some((r) => nftChainName(r.table, r.chain) !== undefined)) return;
  if (handles !== undefined && nftHandlesFit(rules, handles)) {
    const r = await ctx.tool('nft', ['-f', '-'], { input: renderNftHandleRemoval(rules, handles), timeoutMs: 30_000 });
    if (r.code === 0) return;
  }
  // One listing of everything (both families) with handles.
  const r = await ctx.tool('nft', ['-a', 'list', 'ruleset'], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-a', 'list', 'ruleset'], r), op);
  const listing = handles !== undefined && op.kind === 'firewall.remove' ? withGoneInterfacesAs(r.stdout, op.bridge) : r.stdout;
  await nft(ctx, ['-f', '-'], renderNftScript(rules, 'remove', parseNftListing(listing)), op);
}

/**
 * nft stores `iif "virbr0"` as the interface's index and prints a bare `iif 7` once the
 * interface is gone. A removal that had handles runs beside the bridge's deletion (see the
 * executor's `runCarryingOn`), so when it has to fall back to listing, the bridge may be gone:
 * a bare index is then read as the network's bridge. Only interfaces that no longer exist print
 * that way, and the rest of each rule (chain, subnets, action) must still be the network's own
 * for it to match.
 */
function withGoneInterfacesAs(listing: string, bridge: string): string {
  return listing.replace(/\b(iif|oif) (\d+)\b/g, (_, key: string) => `${key} "${bridge}"`);
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
  const cached = await readFactCache(KERNEL_FEATURES_FILE, {}, (f) => (f as { csumAction?: unknown } | null)?.csumAction);
  if (typeof cached === 'boolean') return (csumAction = cached);
  const { readFile } = await import('node:fs/promises');
  try {
    csumAction = /\btcf_csum_act\b/.test(await readFile('/proc/kallsyms', 'utf8'));
  } catch {
    return (csumAction = true); // cannot tell: try, and report what tc says (not cached)
  }
  await writeFactCache(KERNEL_FEATURES_FILE, {}, { csumAction });
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
 * Run a firewall operation; returns its undo. The undo of a nftables `firewall.add` carries the
 * handles nft gave the inserted rules (`handles`), so removing them needs no listing; a
 * `firewall.remove` uses the handles it carries, and finds the rules by listing without them.
 *
 * @example
 * const undo = await applyFirewallOperation(ctx, planOp); // [{ kind: 'firewall.remove', …, handles: [9, 10, …] }]
 */
export async function applyFirewallOperation(ctx: CommandContext, op: FirewallOperation): Promise<Operation[]> {
  checkTokens(op.rules, op);
  const { backend, network, bridge, rules } = op;
  if (op.kind === 'firewall.remove') {
    if (backend === 'iptables') {
      await iptablesFamily(ctx, rules, 'ipv4', 'remove', op);
      await iptablesFamily(ctx, rules, 'ipv6', 'remove', op);
    } else {
      // The tc filter goes with the bridge (libvirt deletes the bridge right after).
      await nftRemove(ctx, rules, op, op.handles);
    }
    return [{ kind: 'firewall.add', backend, network, bridge, rules }];
  }
  const undo: RemoveFirewallOp = { kind: 'firewall.remove', backend, network, bridge, rules };
  if (backend === 'iptables') {
    await iptablesFamily(ctx, rules, 'ipv4', 'add', op);
    try {
      await iptablesFamily(ctx, rules, 'ipv6', 'add', op);
    } catch (e) {
      await iptablesFamily(ctx, rules, 'ipv4', 'remove', op).catch(() => undefined);
      throw e;
    }
  } else {
    const handles = await nftAdd(ctx, rules, op);
    if (handles !== undefined) undo.handles = handles;
    try {
      await tcChecksum(ctx, rules, op);
    } catch (e) {
      await nftRemove(ctx, rules, op, handles).catch(() => undefined);
      throw e;
    }
  }
  return [undo];
}
