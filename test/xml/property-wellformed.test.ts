/**
 * Whatever strings a model holds — any Unicode, lone surrogates, control characters, quotes —
 * the formatter never throws and always writes a well-formed XML 1.0 document (checked with
 * saxes). Namespace well-formedness (e.g. a prefix bound to "") is not checked: metadata names
 * and namespace bindings are the model's, not free text.
 */
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import type { Network } from '../../src/model/index.js';
import { formatNetwork } from '../../src/xml/index.js';
import { networkArb } from '../support/arbitraries.js';

/** Keys of model fields holding free text (names, values, paths); not addresses or enums. */
const FREE_TEXT = new Set([
  'name', 'title', 'description', 'dev', 'model', 'zone', 'root', 'file', 'domain', 'value', 'service',
  'protocol', 'target', 'id', 'profileid', 'text',
]);

/**
 * Replace every free-text string of the model with the next of `strings` (round robin). Element
 * and attribute names of generic XML (metadata) stay names: only their values are free text.
 */
function scramble(value: unknown, strings: string[], state: { i: number }, key = '', inXmlNode = false): unknown {
  if (typeof value === 'string') return FREE_TEXT.has(key) ? strings[state.i++ % strings.length] : value;
  if (Array.isArray(value)) {
    // hostnames and dnsmasq options are arrays of free text.
    const itemKey = key === 'hostnames' || key === 'dnsmasqOptions' ? 'text' : key;
    return value.map((v) => scramble(v, strings, state, itemKey, inXmlNode || key === 'metadata' || key === 'attributes' || key === 'children'));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = inXmlNode && k === 'name' ? v : scramble(v, strings, state, k, inXmlNode);
    return out;
  }
  return value;
}

function wellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(xml).close();
}

describe('formatter robustness', () => {
  it('writes well-formed XML for any strings in any free-text field', () => {
    fc.assert(
      fc.property(
        networkArb,
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (m, strings, inactive) => {
          const scrambled = scramble(m, strings, { i: 0 }) as Network;
          const xml = formatNetwork(scrambled, { inactive });
          expect(() => wellFormed(xml)).not.toThrow();
        },
      ),
      { seed: 0xbadc0de, numRuns: 200 },
    );
  });
});
