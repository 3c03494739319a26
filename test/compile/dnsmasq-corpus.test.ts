/**
 * dnsmasq conformance against libvirt's networkxml2conftest corpus: the conf and hostsfile must be
 * byte-identical, and no hostsfile may be produced where the corpus has none.
 *
 * Two sources of networks: the corpus XML itself through `parseNetwork`, and hand transcriptions
 * of the corpus inputs (dnsmasq-fixtures.ts), which check the generator independently of the
 * parser.
 */
import { describe, expect, it } from 'vitest';
import { dnsmasqConfig } from '../../src/compile/dnsmasq/index.js';
import type { Network } from '../../src/model/index.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus, type CorpusCase } from '../support/corpus.js';
import { transcribedNetworks } from './dnsmasq-fixtures.js';

announceCorpus('dnsmasq');
const cases = corpusCases('networkxml2conftest');

function optionsOf(c: CorpusCase): { stateDir: string } {
  const stateDir = /dnsmasqStateDir=([^;]+)/.exec(c.flags)?.[1] ?? '/var/lib/libvirt/dnsmasq';
  return { stateDir };
}

function check(c: CorpusCase, network: Network): void {
  const bridge = network.bridge?.name;
  expect(bridge, 'every corpus network names its bridge').toBeDefined();
  const files = dnsmasqConfig(network, { bridge: bridge!, ...optionsOf(c), pidfile: null, version: '2.67' });
  const confOut = c.outputs.find((o) => o.endsWith('.conf'))!;
  expect(files.conf).toBe(readCorpus(confOut));
  const hostsOut = c.outputs.find((o) => o.endsWith('.hostsfile'));
  if (hostsOut) expect(files.hostsfile).toBe(readCorpus(hostsOut));
  else expect(files.hostsfile).toBeUndefined();
}

describe.skipIf(!corpusDir)('dnsmasq conf: corpus transcriptions', () => {
  it('has 23 conf cases in cases.tsv', () => {
    expect(cases).toHaveLength(23);
  });
  for (const [name, network] of transcribedNetworks()) {
    it(name, () => {
      const c = cases.find((k) => k.name === name);
      expect(c, `${name} is a corpus case`).toBeDefined();
      check(c!, network);
    });
  }
});

describe.skipIf(!corpusDir)('dnsmasq conf: corpus XML through parseNetwork', () => {
  for (const c of cases) {
    it(c.name, () => {
      check(c, parseNetwork(readCorpus(c.inputs[0]!)));
    });
  }
});
