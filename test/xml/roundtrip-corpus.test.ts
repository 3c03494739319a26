/**
 * libvirt's own networkxml2xml corpus: every success case parses and formats back to libvirt's
 * expected output byte for byte (with VIR_NETWORK_XML_INACTIVE where the case sets it); every
 * parse-fail case is refused by the parser.
 */
import { describe, expect, it } from 'vitest';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';

announceCorpus('xml roundtrip-corpus');
const cases = corpusCases('networkxml2xmltest');
const successes = cases.filter((c) => c.expectation === 'success');
const failures = cases.filter((c) => c.expectation === 'parse-fail');

describe.skipIf(!corpusDir)('networkxml2xml corpus', () => {
  it('has the cases this suite expects', () => {
    expect(successes.length).toBeGreaterThanOrEqual(37);
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });

  it.each(successes.map((c) => [c.name, c] as const))('%s formats byte-identically', (_name, c) => {
    const network = parseNetwork(readCorpus(c.inputs[0]!));
    const inactive = c.flags.includes('VIR_NETWORK_XML_INACTIVE');
    expect(formatNetwork(network, { inactive })).toBe(readCorpus(c.outputs[0]!));
  });

  it.each(successes.map((c) => [c.name, c] as const))('%s: the expected output is a fixed point', (_name, c) => {
    const expected = readCorpus(c.outputs[0]!);
    const inactive = c.flags.includes('VIR_NETWORK_XML_INACTIVE');
    expect(formatNetwork(parseNetwork(expected), { inactive })).toBe(expected);
  });

  it.each(failures.map((c) => [c.name, c] as const))('%s is refused', (_name, c) => {
    expect(() => parseNetwork(readCorpus(c.inputs[0]!))).toThrow();
  });
});
