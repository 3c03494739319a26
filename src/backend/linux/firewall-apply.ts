/**
 * Installing and removing a network's firewall rules with one process per call where possible:
 * one `nft -f -` script, or one `iptables-restore --noflush` (+ one `ip6tables-restore` when the
 * network has IPv6 rules). The rule text comes from the firewall compiler's per-rule renderings
 * (`iptablesRuleArgs`, `nftMatchTokens`/`nftActionTokens`), so it is exactly libvirt's.
 *
 * libvirt's global chains are set up here, as libvirt does once per daemon run:
 * - nftables: `add table`/`add chain` are idempotent, and the `forward` chain holds nothing but
 *   libvirt's three jumps, so the script flushes it and re-inserts them; no read is needed.
 * - iptables: a `:CHAIN` line in `--noflush` input empties an existing chain (other networks'
 *   rules!) and `-N` fails when it exists, so the first apply per executor and family reads
 *   `iptables-save` once (one extra process) to learn which LIBVIRT_* chains and jumps exist; later
 *   applies use that knowledge, like libvirt's once-per-daemon `chainInitDone`.
 *
 * iptables-restore commits table by table: when a later table fails, the rules already committed
 * are removed again before the error is reported. Rules libvirt applies with errors ignored (the
 * DHCP CHECKSUM rule) go in their own last table block, and its failure is ignored likewise.
 *
 * nftables rules are removed by handle: one `nft -a list table` per family, then one script of
 * `delete rule … handle N` for the rules of the network's chains that name its bridge or subnets.
 *
 * @module
 */
import type { Operation } from '../../compile/plan.js';
import {
  IPTABLES_BASE_CHAINS,
  NFT_BASE_CHAINS,
  NFT_TABLE,
  iptablesRuleArgs,
  nftActionTokens,
  nftChainName,
  nftFamily,
  nftMatchTokens,
  rulesOfFamily,
  tcChecksumCommands,
  type FirewallFamily,
  type FirewallRule,
  type FirewallRules,
  type FirewallTable,
} from '../../compile/firewall/index.js';
import { HostError } from '../types.js';
import type { CommandContext } from './netns.js';
import { describeFailure } from './run.js';

export type FirewallOperation = Extract<Operation, { kind: 'firewall.add' | 'firewall.remove' }>;

/** Argument values end up in restore lines and nft scripts: refuse anything but plain tokens. */
const TOKEN = /^[A-Za-z0-9_.:/,!=+-]+$|^"[A-Za-z0-9_.+-]+"$/;

function checkTokens(tokens: readonly string[], op: Operation): void {
  for (const t of tokens) if (!TOKEN.test(t)) throw new HostError('EINVAL', `unsafe firewall token '${t}'`, op);
}

/** What this executor knows exists (iptables: per family, the chains and `parent→chain` jumps). */
const iptablesKnown = new WeakMap<CommandContext, Map<FirewallFamily, Set<string>>>();

// ---------------------------------------------------------------------------------------------
// iptables

const TABLE_ORDER: FirewallTable[] = ['filter', 'nat', 'mangle'];

/** `-I CHAIN args…` / `-D CHAIN args…` restore lines of one rule (without `-w` and `--table`). */
function restoreLine(rule: FirewallRule, mode: 'add' | 'remove', op: Operation): { table: FirewallTable; line: string } {
  const args = iptablesRuleArgs(rule, mode === 'add' ? '--insert' : '--delete');
  // ['-w', '--table', T, '--insert'|'--delete', CHAIN, …]
  const rest = args.slice(3);
  checkTokens(rest, op);
  return { table: rule.table, line: rest.join(' ') };
}

async function readIptablesBase(ctx: CommandContext, family: FirewallFamily): Promise<Set<string>> {
  const tool = family === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
  const r = await ctx.tool(tool, [], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure(tool, [], r));
  const known = new Set<string>();
  let table = '';
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    else if (line.startsWith(':')) known.add(`${table}:${line.slice(1).split(' ')[0]}`);
    else {
      const m = /^-A (\S+) -j (LIBVIRT_\w+)$/.exec(line.trim());
      if (m) known.add(`${table}:${m[1]}->${m[2]}`);
    }
  }
  return known;
}

interface RestoreBlock {
  table: FirewallTable;
  lines: string[];
  /** Rule lines only (what must be deleted if this block committed but a later one failed). */
  ruleLines: string[];
  ignoreErrors: boolean;
}

function renderBlocks(blocks: readonly RestoreBlock[]): { text: string; commitLines: number[] } {
  const out: string[] = [];
  const commitLines: number[] = [];
  for (const b of blocks) {
    out.push(`*${b.table}`, ...b.lines, 'COMMIT');
    commitLines.push(out.length);
  }
  return { text: `${out.join('\n')}\n`, commitLines };
}

async function iptablesFamily(ctx: CommandContext, rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove', op: Operation): Promise<void> {
  const mine = rulesOfFamily(rules, family);
  if (mine.length === 0) return;
  const tool = family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
  const blocks: RestoreBlock[] = [];
  const blockOf = (table: FirewallTable, ignoreErrors: boolean) => {
    let b = blocks.find((x) => x.table === table && x.ignoreErrors === ignoreErrors);
    if (!b) blocks.push((b = { table, lines: [], ruleLines: [], ignoreErrors }));
    return b;
  };
  let known: Set<string> | undefined;
  if (mode === 'add') {
    let perFamily = iptablesKnown.get(ctx);
    if (!perFamily) iptablesKnown.set(ctx, (perFamily = new Map()));
    known = perFamily.get(family);
    if (!known) perFamily.set(family, (known = await readIptablesBase(ctx, family)));
    // libvirt's base set-up: create missing chains, insert missing jumps (in its order).
    for (const table of TABLE_ORDER) {
      const chains = IPTABLES_BASE_CHAINS.filter((c) => c.table === table);
      for (const c of chains) if (!known.has(`${table}:${c.chain}`)) blockOf(table, false).lines.push(`:${c.chain} - [0:0]`);
      for (const c of chains) if (!known.has(`${table}:${c.parent}->${c.chain}`)) blockOf(table, false).lines.push(`-I ${c.parent} -j ${c.chain}`);
    }
  }
  // Removal deletes in reverse emission order, as libvirt's rollback does.
  const ordered = mode === 'add' ? mine : [...mine].reverse();
  for (const rule of ordered) {
    const { table, line } = restoreLine(rule, mode, op);
    const b = blockOf(table, mode === 'add' && rule.ignoreErrors === true);
    b.lines.push(line);
    b.ruleLines.push(line);
  }
  // Blocks whose errors are ignored go last, so nothing else depends on them.
  blocks.sort((a, b) => Number(a.ignoreErrors) - Number(b.ignoreErrors) || TABLE_ORDER.indexOf(a.table) - TABLE_ORDER.indexOf(b.table));
  const { text, commitLines } = renderBlocks(blocks);
  const r = await ctx.tool(tool, ['-w', '--noflush'], { input: text, timeoutMs: 30_000 });
  if (r.code === 0) {
    if (mode === 'add') markBase(known!, blocks);
    return;
  }
  const m = /Error occurred at line: (\d+)/.exec(r.stderr);
  const failedAt = m ? Number(m[1]) : 1;
  const failedBlock = commitLines.findIndex((c) => failedAt <= c);
  const committed = blocks.slice(0, failedBlock < 0 ? 0 : failedBlock);
  if (mode === 'add' && failedBlock >= 0 && blocks.slice(failedBlock).every((b) => b.ignoreErrors)) {
    markBase(known!, committed);
    return; // libvirt applies those rules with errors ignored
  }
  if (mode === 'add') {
    markBase(known!, committed);
    const undo = committed.filter((b) => b.ruleLines.length > 0).map((b) => ({ ...b, lines: b.ruleLines.map((l) => l.replace(/^-I /, '-D ')).reverse() }));
    if (undo.length > 0) await ctx.tool(tool, ['-w', '--noflush'], { input: renderBlocks(undo).text, timeoutMs: 30_000 });
  }
  throw new HostError('ECOMMAND', describeFailure(tool, ['-w', '--noflush'], r), op);
}

function markBase(known: Set<string>, blocks: readonly RestoreBlock[]): void {
  for (const b of blocks) {
    for (const l of b.lines) {
      if (l.startsWith(':')) known.add(`${b.table}:${l.slice(1).split(' ')[0]}`);
      const m = /^-I (\S+) -j (LIBVIRT_\w+)$/.exec(l);
      if (m) known.add(`${b.table}:${m[1]}->${m[2]}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// nftables

function nftBaseScript(family: FirewallFamily): string[] {
  const fam = nftFamily(family);
  const lines = [`add table ${fam} ${NFT_TABLE}`];
  for (const c of NFT_BASE_CHAINS) lines.push(`add chain ${fam} ${NFT_TABLE} ${c.name}${c.spec ? ` ${c.spec}` : ''}`);
  // `forward` holds only libvirt's jumps: re-create them (inserted, so they end up reversed).
  lines.push(`flush chain ${fam} ${NFT_TABLE} forward`);
  for (const c of NFT_BASE_CHAINS) if (c.parent) lines.push(`insert rule ${fam} ${NFT_TABLE} ${c.parent} counter jump ${c.name}`);
  return lines;
}

function nftRuleLine(rule: FirewallRule, op: Operation): string | undefined {
  const chain = nftChainName(rule.table, rule.chain);
  if (chain === undefined) return undefined;
  const tokens = [...nftMatchTokens(rule, 'quoted'), ...nftActionTokens(rule.action)];
  checkTokens(tokens, op);
  return `insert rule ${nftFamily(rule.family)} ${NFT_TABLE} ${chain} ${tokens.join(' ')}`;
}

async function nftAdd(ctx: CommandContext, rules: FirewallRules, op: Operation): Promise<void> {
  const lines: string[] = [];
  const families = (['ipv4', 'ipv6'] as const).filter((f) => rulesOfFamily(rules, f).length > 0);
  for (const f of families) lines.push(...nftBaseScript(f));
  for (const rule of rules.rules) {
    const line = nftRuleLine(rule, op);
    if (line) lines.push(line);
  }
  if (lines.length === 0) return;
  // One transaction: nft applies the whole script or nothing.
  const r = await ctx.tool('nft', ['-f', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: 30_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-f', '-'], r), op);
}

/** Does a listed rule belong to the network: names its bridge or one of its subnets. */
function belongs(line: string, rules: FirewallRules): boolean {
  if (line.includes(`"${rules.bridge}"`)) return true;
  for (const r of rules.rules) for (const m of r.matches) if ((m.kind === 'source' || m.kind === 'destination') && line.includes(` ${m.cidr} `)) return true;
  return false;
}

async function nftRemove(ctx: CommandContext, rules: FirewallRules, op: Operation): Promise<void> {
  const families = new Set((['ipv4', 'ipv6'] as const).filter((f) => rulesOfFamily(rules, f).length > 0).map(nftFamily));
  if (families.size === 0) return;
  // One listing of everything (both families) with handles.
  const r = await ctx.tool('nft', ['-a', 'list', 'ruleset'], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-a', 'list', 'ruleset'], r), op);
  const deletes: string[] = [];
  let fam = '';
  let chain = '';
  for (const raw of r.stdout.split('\n')) {
    const line = raw.trim();
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) {
      fam = t[2] === NFT_TABLE && families.has(t[1] as 'ip' | 'ip6') ? t[1]! : '';
      continue;
    }
    if (!fam) continue;
    const c = /^chain (\S+) \{/.exec(line);
    if (c) {
      chain = c[1]!;
      continue;
    }
    const h = /# handle (\d+)$/.exec(line);
    if (h && chain !== 'forward' && belongs(`${line} `, rules)) deletes.push(`delete rule ${fam} ${NFT_TABLE} ${chain} handle ${h[1]}`);
  }
  if (deletes.length === 0) return;
  const d = await ctx.tool('nft', ['-f', '-'], { input: `${deletes.join('\n')}\n`, timeoutMs: 30_000 });
  if (d.code !== 0) throw new HostError('ECOMMAND', describeFailure('nft', ['-f', '-'], d), op);
}

// ---------------------------------------------------------------------------------------------
// tc checksum fix (nftables)

/** Whether the kernel has tc's `csum` action (built in: no modules can be loaded here). */
let csumAction: boolean | undefined;
async function kernelHasCsumAction(): Promise<boolean> {
  if (csumAction === undefined) {
    const { readFile } = await import('node:fs/promises');
    try {
      csumAction = /\btcf_csum_act\b/.test(await readFile('/proc/kallsyms', 'utf8'));
    } catch {
      csumAction = true; // cannot tell: try, and report what tc says
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
  checkTokens([...tc.addQdisc, ...tc.addFilter], op);
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
  if (op.backend === 'iptables') {
    await iptablesFamily(ctx, op.rules, 'ipv4', mode, op);
    try {
      await iptablesFamily(ctx, op.rules, 'ipv6', mode, op);
    } catch (e) {
      if (mode === 'add') await iptablesFamily(ctx, op.rules, 'ipv4', 'remove', op).catch(() => undefined);
      throw e;
    }
  } else if (mode === 'add') {
    await nftAdd(ctx, op.rules, op);
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
