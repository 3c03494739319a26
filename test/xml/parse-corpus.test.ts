/**
 * libvirt's own corpus: every `success` input parses (into a model the io-ts codec accepts), every
 * `parse-fail` input of networkxml2xmltest is refused with a typed error.
 */
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/model/network.js';
import { NETWORK_XML_ERROR_CODES, NetworkXmlError, decodeNetwork, parseNetwork } from '../../src/xml/index.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';

announceCorpus('xml/parse-corpus');

const inputs = new Map<string, string>();
for (const c of corpusCases())
  for (const f of c.inputs) if (f.endsWith('.xml')) inputs.set(f, c.expectation);

const successes = [...inputs].filter(([, e]) => e === 'success').map(([f]) => f);
const failures = corpusCases('networkxml2xmltest').filter((c) => c.expectation === 'parse-fail');

describe.skipIf(!corpusDir)('libvirt corpus', () => {
  it('has the expected cases', () => {
    // 69 distinct inputs: some cases of the conf and firewall drivers share one.
    expect(successes.length).toBe(69);
    expect(failures.map((c) => c.name).sort()).toEqual([
      'hostdev-duplicate',
      'open-network-with-forward-dev',
      'routed-network-no-dns-extra-elements',
    ]);
  });

  it.each(successes)('parses %s into a valid model', (file) => {
    const net = parseNetwork(readCorpus(file));
    expect(net.name.length).toBeGreaterThan(0);
    const checked = Network.decode(net);
    expect(isRight(checked)).toBe(true);
  });

  it.each(successes)('parses %s strictly (every corpus element is in the schema)', (file) => {
    expect(() => parseNetwork(readCorpus(file), { strict: true })).not.toThrow();
  });

  const expected: Record<string, { code: string; path: string; line: number }> = {
    'routed-network-no-dns-extra-elements': { code: 'dns.disabled.extra-data', path: '/network/dns', line: 7 },
    'open-network-with-forward-dev': { code: 'forward.dev.not-allowed', path: '/network/forward', line: 6 },
    'hostdev-duplicate': { code: 'forward.address.duplicate', path: '/network/forward/address[4]', line: 8 },
  };
  it.each(failures.map((c) => [c.name, c.inputs[0]!] as const))('refuses %s', (name, file) => {
    const result = decodeNetwork(readCorpus(file));
    expect(isRight(result)).toBe(false);
    if (isRight(result)) return;
    const err = result.left;
    expect(err).toBeInstanceOf(NetworkXmlError);
    expect(NETWORK_XML_ERROR_CODES).toContain(err.code);
    expect({ code: err.code, path: err.path, line: err.line }).toEqual(expected[name]);
  });
});
