/**
 * Properties of format and parse over generated valid networks (test/support/arbitraries.ts):
 * parsing what we format gives the model back, and formatting is a fixed point of
 * format ∘ parse. Fixed seed and run count keep CI deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';
import { networkArb } from '../support/arbitraries.js';

const RUNS = { seed: 0x5eed, numRuns: 200 };

describe('format and parse', () => {
  it('parse(format(m)) equals m', () => {
    fc.assert(
      fc.property(networkArb, (m) => {
        expect(parseNetwork(formatNetwork(m))).toEqual(m);
      }),
      RUNS,
    );
  });

  it('format(parse(format(m))) === format(m), live and inactive', () => {
    fc.assert(
      fc.property(networkArb, fc.boolean(), (m, inactive) => {
        const once = formatNetwork(m, { inactive });
        expect(formatNetwork(parseNetwork(once), { inactive })).toBe(once);
      }),
      RUNS,
    );
  });
});
