/**
 * Fuzzing the strings that enter rules: any bridge or forward-device name either gives a
 * CompileError or stays exactly one argument / token in every rendering.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../src/compile/errors.js';
import { firewallRules } from '../../src/compile/firewall/build.js';
import { renderIptablesRestore } from '../../src/compile/firewall/iptables-restore.js';
import { escapeShell, libvirtCommands, renderLibvirtCommands } from '../../src/compile/firewall/libvirt-commands.js';
import { renderNftScript } from '../../src/compile/firewall/nft-script.js';
import { parseIptablesSave } from '../../src/compile/firewall/iptables-state.js';
import { expectedNftRules, parseNftListing } from '../../src/compile/firewall/nft-state.js';
import type { FirewallRules } from '../../src/compile/firewall/rules.js';
import { defineNetwork } from '../../src/model/index.js';
import type { Network } from '../../src/model/network.js';

const REF_BRIDGE = 'refbr0';
const REF_DEV = 'refdev0';

const network = (dev: string) =>
  defineNetwork({
    name: 'fuzz',
    forward: { mode: 'nat', interfaces: [{ dev }], nat: { ipv6: true } },
    ips: [
      { address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }] }, tftp: { root: '/srv' } },
      { family: 'ipv6', address: '2001:db8::1', prefix: 64 },
    ],
  });

/** The `nft -a list ruleset` text of a host where only this network is installed (handles 1, 2, …). */
function listingText(fw: FirewallRules): string {
  let handle = 1;
  const lines: string[] = [];
  for (const fam of expectedNftRules(fw)) {
    lines.push(`table ${fam.table} { # handle ${handle++}`);
    for (const [chain, rules] of Object.entries(fam.chains)) {
      lines.push(`\tchain ${chain} { # handle ${handle++}`, ...rules.map((r) => `\t\t${r.replace('counter', 'counter packets 0 bytes 0')} # handle ${handle++}`), '\t}');
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

/** Every rendering, split into whitespace-separated tokens. */
function tokens(fw: FirewallRules): string[][] {
  const empty = parseIptablesSave('');
  const listing = parseNftListing(listingText(fw));
  return [
    renderLibvirtCommands(fw, 'iptables'),
    renderLibvirtCommands(fw, 'nftables'),
    renderIptablesRestore(fw, 'ipv4', 'add', empty),
    renderIptablesRestore(fw, 'ipv6', 'add', empty),
    renderIptablesRestore(fw, 'ipv4', 'remove'),
    renderNftScript(fw, 'add'),
    // Read back from a listing: the names survive the parser, and every rule is found again.
    renderNftScript(fw, 'add', listing),
    renderNftScript(fw, 'remove', listing),
  ].map((text) => text.split(/\s+/));
}

const reference = tokens(firewallRules(network(REF_DEV), { bridge: REF_BRIDGE }));
/** An empty forward dev means no uplink, as in libvirt (`physdev && physdev[0]`). */
const referenceNoUplink = tokens(firewallRules(network(''), { bridge: REF_BRIDGE }));

/** Mostly name-like characters, with the dangerous ones mixed in. */
const nameChar = fc.constantFrom(...'abcXYZ019_.-+*:/@"\'\\ \t\n;#{}$!?[]|&<>~`'.split(''), 'é', '\u0000', '\u200b');
const names = fc.oneof(
  fc.string({ unit: nameChar, maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019_.-'.split('')), minLength: 1, maxLength: 17 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', '.', '..', '-x', 'virbr0', 'a'.repeat(15), 'a'.repeat(16), 'eth0 -j ACCEPT', 'x" ; flush ruleset ; "', 'br\n-A INPUT'),
);

function check(bridge: string, dev: string): void {
  let fw: FirewallRules;
  try {
    fw = firewallRules(network(dev), { bridge });
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    expect((e as CompileError).code).toBe('firewall.interface-name');
    return;
  }
  // Accepted: each name is one argument of every command, printed without shell quoting…
  for (const command of libvirtCommands(fw, 'iptables').concat(libvirtCommands(fw, 'nftables'))) {
    for (const arg of command.args) if (arg === bridge || arg === dev) expect(escapeShell(arg)).toBe(arg);
  }
  // …and every rendering has exactly the tokens of the reference rendering.
  const got = tokens(fw);
  const expected = dev === '' ? referenceNoUplink : reference;
  for (let i = 0; i < expected.length; i++) expect(got[i]!.length, `rendering ${i}`).toBe(expected[i]!.length);
}

describe('interface names in rules (fuzz, fixed seed)', () => {
  it('bridge names', () => {
    fc.assert(
      fc.property(names, (bridge) => check(bridge, REF_DEV)),
      { seed: 20261130, numRuns: 400 },
    );
  });

  it('forward device names', () => {
    fc.assert(
      fc.property(names, (dev) => check(REF_BRIDGE, dev)),
      { seed: 20261131, numRuns: 400 },
    );
  });

  it('the generator yields both accepted and refused names', () => {
    const sample = fc.sample(names, { seed: 20261130, numRuns: 400 });
    const accepted = sample.filter((n) => {
      try {
        firewallRules(network(REF_DEV), { bridge: n });
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.length).toBeGreaterThan(40);
    expect(sample.length - accepted.length).toBeGreaterThan(40);
  });

  it('accepts the names it should', () => {
    for (const good of ['virbr0', 'br-lan', 'eth0.100', 'a_b', 'x'.repeat(15)]) expect(() => check(good, good === 'virbr0' ? 'eth0' : 'eth1')).not.toThrow();
    expect(firewallRules(network('eth0.100'), { bridge: 'br-lan' }).rules.length).toBeGreaterThan(0);
    // The uplink-less rendering really lacks the uplink matches (so the two references differ).
    expect(referenceNoUplink[0]!.length).toBeLessThan(reference[0]!.length);
    // The removal read back from the listing deletes every nft rule of the network, by handle.
    const nftRuleCount = expectedNftRules(firewallRules(network(REF_DEV), { bridge: REF_BRIDGE })).reduce((n, f) => n + Object.values(f.chains).flat().length, 0);
    expect(reference[7]!.filter((t) => t === 'delete')).toHaveLength(nftRuleCount);
    expect(nftRuleCount).toBeGreaterThan(10);
  });
});

describe('unchecked model values (fuzz, fixed seed)', () => {
  /** A network object that skipped defineNetwork, as a JavaScript caller could pass. */
  const unchecked = (address: unknown, natStart: unknown, prefix: unknown) =>
    ({
      name: 'raw',
      forward: { mode: 'nat', nat: natStart === undefined ? {} : { address: { start: natStart, end: '203.0.113.9' } } },
      ips: [{ address, prefix }],
    }) as unknown as Network;

  it('addresses, prefixes and NAT ranges give CompileError or well-formed rules', () => {
    const junk = fc.oneof(fc.string({ maxLength: 24 }), fc.constantFrom('10.0.0.1', '2001:db8::1', '10.0.0.1 -j ACCEPT', '::ffff:1.2.3.4', '1.2.3'), fc.integer(), fc.constant(undefined));
    let accepted = 0;
    fc.assert(
      fc.property(junk, junk, fc.oneof(fc.constant(24), fc.integer({ min: -5, max: 200 }), fc.double()), (address, natStart, prefix) => {
        let fw: FirewallRules;
        try {
          fw = firewallRules(unchecked(address, natStart, prefix), { bridge: 'virbr0' });
        } catch (e) {
          expect(e).toBeInstanceOf(CompileError);
          return;
        }
        // Accepted: every address-like argument is one plain CIDR/range token.
        accepted++;
        for (const line of renderIptablesRestore(fw, 'ipv4', 'add').split('\n')) {
          for (const t of line.split(' ')) expect(t).toMatch(/^[A-Za-z0-9_.:/,!*=+\-]*$/);
        }
      }),
      { seed: 20261132, numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(20);
  });
});
