/**
 * parseNftJson against real nft (differential): for the compiled firewall of every
 * networkxml2xml corpus case that gets nftables rules, loaded with `renderNftScript(rules, 'add')`
 * into a namespace this file creates (with the bridges the rules name) and always removes,
 * `parseNftJson(nft -j list ruleset)` must equal `parseNftListing(nft -a list ruleset)`: same
 * tables, chains, rule texts and handles. Also two networks together, after removals, and the
 * backend's readFirewall (which reads `nft -j`) against what the text listing shows.
 * Skips visibly when not root, without nft, or without the corpus.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFirewall } from '../../src/backend/linux/inspect.js';
import { CommandContext } from '../../src/backend/linux/netns.js';
import { expectedNftRules, firewallRules, parseNftJson, parseNftListing, renderNftScript, type FirewallRules, type NftListing } from '../../src/compile/firewall/index.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';
import { createNamespace, destroyAllNamespaces, destroyNamespace, inNs, sh, systemTestSkipReason } from '../support/netns.js';

const skip = systemTestSkipReason(['nft']);
if (skip) console.warn(`[backend/linux-nft-json] SKIPPED: ${skip}`);
announceCorpus('backend/linux-nft-json');

afterAll(destroyAllNamespaces);

/** Every networkxml2xml case whose network compiles to nftables rules, with those rules. */
function casesWithRules(): Array<[string, FirewallRules]> {
  const out: Array<[string, FirewallRules]> = [];
  for (const c of corpusCases('networkxml2xmltest')) {
    if (c.expectation !== 'success') continue;
    const network = parseNetwork(readCorpus(c.inputs[0]!));
    const rules = firewallRules(network, { bridge: network.bridge?.name ?? 'virbr0' });
    if (expectedNftRules(rules).length > 0) out.push([c.name, rules]);
  }
  return out;
}

const cases = corpusDir ? casesWithRules() : [];
const byName = new Map(cases);

/** The bridges the rules name with `iif`/`oif` (nft needs them to exist). */
function bridgesOf(rules: FirewallRules): string[] {
  const names = new Set<string>();
  for (const rule of rules.rules) {
    for (const m of rule.matches) if ((m.kind === 'in-interface' || m.kind === 'out-interface') && m.role === 'bridge') names.add(m.name);
  }
  return [...names];
}

async function nft(ns: string, args: readonly string[], input?: string): Promise<string> {
  const r = await inNs(ns, 'nft', args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`nft ${args.join(' ')} failed (${r.code}): ${r.stderr}${input ? `\ninput:\n${input}` : ''}`);
  return r.stdout;
}

/** Both readings of the namespace's ruleset. */
async function readings(ns: string): Promise<{ json: NftListing; text: NftListing }> {
  const [json, text] = await Promise.all([nft(ns, ['-j', 'list', 'ruleset']), nft(ns, ['-a', 'list', 'ruleset'])]);
  return { json: parseNftJson(json), text: parseNftListing(text) };
}

/** A namespace holding the bridges of all these networks. */
async function namespaceFor(all: readonly FirewallRules[]): Promise<string> {
  const ns = await createNamespace('nftj');
  for (const b of new Set(all.flatMap(bridgesOf))) await sh('ip', ['-n', ns, 'link', 'add', b, 'type', 'bridge']);
  return ns;
}

async function add(ns: string, rules: FirewallRules): Promise<void> {
  await nft(ns, ['-f', '-'], renderNftScript(rules, 'add'));
}

async function remove(ns: string, rules: FirewallRules): Promise<void> {
  const script = renderNftScript(rules, 'remove', parseNftListing(await nft(ns, ['-a', 'list', 'ruleset'])));
  if (script !== '') await nft(ns, ['-f', '-'], script);
}

/** How many rules a listing holds in all. */
const ruleCount = (l: NftListing) => Object.values(l.tables).reduce((n, t) => n + Object.values(t.chains).reduce((m, c) => m + c.length, 0), 0);

describe.skipIf(skip !== undefined || !corpusDir)('parseNftJson = parseNftListing on real nft', () => {
  it('finds the corpus cases with nftables rules', () => {
    expect(cases.length).toBe(27);
  });

  it.each(cases)('%s', async (_name, rules) => {
    const ns = await namespaceFor([rules]);
    try {
      await add(ns, rules);
      const { json, text } = await readings(ns);
      expect(json).toEqual(text);
      // Not vacuous: every rule of the network is there, with a handle.
      for (const family of expectedNftRules(rules)) {
        for (const [chain, lines] of Object.entries(family.chains)) {
          expect(json.tables[family.table]?.chains[chain]?.map((r) => r.text)).toEqual(lines);
          expect(json.tables[family.table]?.chains[chain]?.every((r) => Number.isInteger(r.handle))).toBe(true);
        }
      }
    } finally {
      await destroyNamespace(ns);
    }
  });

  it('two networks together, then after each is removed', async () => {
    const first = byName.get('nat-network-forward-nat-ipv6')!;
    const second = byName.get('dhcp6host-routed-network')!;
    expect(bridgesOf(first)).not.toEqual(bridgesOf(second));
    const ns = await namespaceFor([first, second]);
    try {
      await add(ns, first);
      await add(ns, second);
      const both = await readings(ns);
      expect(both.json).toEqual(both.text);
      const counts = [ruleCount(both.json)];

      await remove(ns, first);
      const one = await readings(ns);
      expect(one.json).toEqual(one.text);
      counts.push(ruleCount(one.json));

      await remove(ns, second);
      const none = await readings(ns);
      expect(none.json).toEqual(none.text);
      counts.push(ruleCount(none.json));
      // 12 + 10 network rules and 3 forward jumps per family; the table and base chains stay.
      expect(counts).toEqual([3 + 3 + 12 + 10, 3 + 3 + 10, 3 + 3]);
      expect(Object.keys(none.json.tables)).toEqual(['ip libvirt_network', 'ip6 libvirt_network']);
    } finally {
      await destroyNamespace(ns);
    }
  });

  it('readFirewall (nft -j) gives the network rules the text listing shows', async () => {
    const rules = byName.get('nat-network')!;
    // Another network on its own bridge and subnet: none of its rules may be read as nat-network's.
    const other = byName.get('isolated-network')!;
    const ns = await namespaceFor([rules, other]);
    try {
      await add(ns, other);
      await add(ns, rules);
      const ctx = new CommandContext(ns, undefined, 'direct');
      const subnets = ['192.168.122.0/24', '192.168.123.0/24', '10.0.0.0/8', '2001:db8:ac10:fe01::/64', '2001:db8:ac10:fd01::/64'];
      const read = await readFirewall(ctx, 'nftables', rules.bridge, subnets);
      const expected = expectedNftRules(rules).flatMap((f) => Object.entries(f.chains).flatMap(([chain, lines]) => lines.map((l) => `${f.table} ${chain} ${l}`)));
      expect(expected).toHaveLength(31);
      expect(read.slice().sort()).toEqual(expected.slice().sort());
    } finally {
      await destroyNamespace(ns);
    }
  });
});
