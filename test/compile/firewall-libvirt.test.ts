/**
 * libvirt conformance: the command text of every `networkxml2firewalltest` case (both backends)
 * and of the global chain set-up, byte for byte.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/compile/firewall/build.js';
import { commandText, escapeShell, renderLibvirtBase, renderLibvirtCommands } from '../../src/compile/firewall/libvirt-commands.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';
import { firewallCorpusNetwork } from './firewall-corpus.js';

announceCorpus('firewall-libvirt');
const cases = corpusCases('networkxml2firewalltest');

describe.skipIf(!corpusDir)('networkxml2firewalltest corpus', () => {
  it('has the 20 cases', () => {
    expect(cases).toHaveLength(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const backend = /backend=(iptables|nftables)/.exec(c.flags)?.[1] as 'iptables' | 'nftables';
    const input = c.inputs[0]!;
    const expected = readCorpus(c.outputs[0]!);
    // The corpus document through the XML parser…
    const parsed = parseNetwork(readCorpus(input));
    expect(renderLibvirtCommands(firewallRules(parsed, { bridge: parsed.bridge?.name ?? 'virbr0' }), backend)).toBe(expected);
    // …and the hand-built mirror used by the system tests give the same text.
    const network = firewallCorpusNetwork(basename(input, '.xml'));
    expect(network, `no hand-built network for ${input}`).toBeDefined();
    expect(renderLibvirtCommands(firewallRules(network!, { bridge: network!.bridge?.name ?? 'virbr0' }), backend)).toBe(expected);
  });

  it.each(['iptables', 'nftables'] as const)('base.%s', (backend) => {
    expect(renderLibvirtBase(backend)).toBe(readCorpus(`networkxml2firewalldata/base.${backend}`));
  });
});

describe('libvirt command text', () => {
  it('quotes like virBufferEscapeShell', () => {
    expect(escapeShell('')).toBe("''");
    expect(escapeShell('virbr0')).toBe('virbr0');
    expect(escapeShell('!')).toBe("'!'");
    expect(escapeShell("a'b")).toBe("'a'\\''b'");
    expect(escapeShell('{ x; }')).toBe("'{ x; }'");
  });

  it('keeps an option value on the option line and breaks before positional arguments', () => {
    expect(commandText({ binary: 'nft', args: ['-ae', 'insert', 'rule', 'ip'] })).toBe('nft \\\n-ae insert \\\nrule \\\nip\n');
    expect(commandText({ binary: 'iptables', args: ['-w', '--source', 'N', '!', '--destination', 'N'] })).toBe(
      "iptables \\\n-w \\\n--source N '!' \\\n--destination N\n",
    );
    expect(commandText({ binary: 'tc', args: ['qdisc', 'show'] })).toBe('tc \\\nqdisc \\\nshow\n');
  });

  it('renders nothing for modes without a firewall', () => {
    const net = firewallCorpusNetwork('nat-default')!;
    const open = { ...net, forward: { mode: 'open' as const } };
    const rules = firewallRules(open, { bridge: 'virbr0' });
    expect(rules.rules).toEqual([]);
    expect(renderLibvirtCommands(rules, 'iptables')).toBe('');
    expect(renderLibvirtCommands(rules, 'nftables')).toBe('');
  });
});
